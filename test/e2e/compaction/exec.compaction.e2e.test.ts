/**
 * Compaction through the built CLI (`exec --json`) against the scripted model with a tiny
 * context window: the summary request is a request of its own, and the request after it
 * carries the summary instead of the old history.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutFiles } from '../appServer/client.js';
import { execCli, jsonEvents, scene, type Scene } from '../cli.harness.js';

type Json = any;
const inputOf = (request: unknown): Json[] => (request as { input?: Json[]; messages?: Json[] }).input ?? (request as { messages: Json[] }).messages;
const textOf = (request: unknown): string => JSON.stringify(inputOf(request));

let s: Scene | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

describe('exec: context compaction', () => {
  it('compacts before the request that would pass the limit and sends the summary instead of the history', async () => {
    s = await scene({
      turns: [
        // The provider counts 950 tokens: past 90% of a 1000-token window.
        { items: [{ call: 'exec_command', args: { cmd: 'echo call-output-marker' } }], usage: { input: 940, output: 10 } },
        [{ text: 'HANDOFF-SUMMARY: the user wants the marker echoed; done.' }],
        [{ text: 'finished after compaction' }],
      ],
    });
    const result = await execCli(s, ['--json', '-c', 'model_context_window=1000', '--dangerously-bypass-approvals-and-sandbox', 'echo the marker please']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(s.server.requests).toHaveLength(3);
    // The second request asks for the summary, with the whole conversation so far.
    const summaryRequest = textOf(s.server.requests[1]);
    expect(summaryRequest).toContain('call-output-marker');
    expect(summaryRequest).toContain('handoff note');
    // The third carries the summary and the user's message, not the call or its output.
    const next = textOf(s.server.requests[2]);
    expect(next).toContain('HANDOFF-SUMMARY');
    expect(next).toContain('echo the marker please');
    expect(next).not.toContain('call-output-marker');
    expect(next).not.toContain('function_call');
    const events = jsonEvents(result.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed' });
    expect(events.some((event) => event.type === 'item.completed' && event.item.text === 'finished after compaction')).toBe(true);
    // The rollout keeps the compaction: the summary and the history that replaced the old one.
    const [rollout] = await rolloutFiles(s.home);
    const records = (await readFile(rollout!, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const compacted = records.find((record) => record.type === 'compacted');
    expect(compacted.message).toContain('HANDOFF-SUMMARY');
    expect(JSON.stringify(compacted.replacementHistory)).not.toContain('call-output-marker');
  });

  it('a refusal for context length (Responses code) compacts once and retries instead of failing', async () => {
    s = await scene({
      turns: [
        { error: { status: 400, message: 'Your input exceeds the context window of this model.', code: 'context_length_exceeded' } },
        [{ text: 'HANDOFF-SUMMARY: nothing done yet.' }],
        [{ text: 'answer after the retry' }],
      ],
    });
    const result = await execCli(s, ['--json', 'a question']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(s.server.requests).toHaveLength(3);
    expect(textOf(s.server.requests[2])).toContain('HANDOFF-SUMMARY');
    expect(jsonEvents(result.stdout).at(-1)).toMatchObject({ type: 'turn.completed' });
  });

  it('over Chat Completions, a server that words the refusal without a code (vLLM) is recovered the same way; a second refusal fails', async () => {
    const refusal = { error: { status: 400, message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens." } };
    s = await scene({ turns: [refusal, [{ text: 'HANDOFF-SUMMARY: short.' }], refusal] });
    const result = await execCli(s, ['--json', '-c', 'model_providers.scripted.wire_api="chat"', 'a question']);
    expect(s.server.paths.every((path) => path.endsWith('/chat/completions'))).toBe(true);
    expect(s.server.requests).toHaveLength(3);
    expect(textOf(s.server.requests[2])).toContain('HANDOFF-SUMMARY');
    // Compacting once is all it does: the retry's refusal fails the turn with the provider's words.
    expect(result.exitCode).not.toBe(0);
    expect(jsonEvents(result.stdout).at(-1)).toMatchObject({ type: 'turn.failed', error: { message: expect.stringContaining('maximum context length') } });
  });
});
