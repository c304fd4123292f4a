/** `statecraft mcp-server`: cancelling a call, the client going away, and input it cannot use. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { rolloutFiles, sleep, within } from '../appServer/client.js';
import { alive, livePidsMatching } from '../../support/processes.js';
import { MAX_PROMPT_CHARS } from '../../../protocol/mcpServer/index.js';
import { eventsOf, mcpScenes, textOf } from './harness.js';

type Json = any;

const scene = mcpScenes();

/** A command that marks its start in the workspace, then sleeps (a unique duration, to find it by) in a child. */
const sleeper = (marker: string) => ({ call: 'exec_command', args: { cmd: `touch started; sleep ${marker} & wait`, yield_time_ms: 30_000 } });

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('mcp-server: cancellation', () => {
  it('notifications/cancelled interrupts the turn: the sleeping command dies, the turn completes interrupted, the server goes on', async () => {
    const marker = scene.marker();
    const f = await scene.open({ turns: [[sleeper(marker)], [{ text: 'after the cancel' }]] });
    const c = await scene.connect(f);
    const cancel = new AbortController();
    const call = c.call('statecraft', { prompt: 'sleep', cwd: f.ws, 'approval-policy': 'never', sandbox: 'workspace-write' }, { signal: cancel.signal });
    await until('the command to start', () => existsSync(join(f.ws, 'started')));
    const sleepers = livePidsMatching(marker);
    expect(sleepers.length).toBeGreaterThan(0);

    cancel.abort('the user changed their mind');
    // The SDK client settles the call at once (MCP answers nothing to a cancelled request).
    await expect(call).rejects.toThrow();
    await until('the interrupted turn', () => eventsOf(c.events, 'turn/completed').length > 0);
    const [completed] = eventsOf(c.events, 'turn/completed');
    expect(completed.event.params.turn.status).toBe('interrupted');
    const command = eventsOf(c.events, 'item/completed').find((event) => event.event.params.item.type === 'commandExecution');
    expect(command.event.params.item.status).not.toBe('inProgress');
    await until('the sleeping processes to end', () => sleepers.every((pid) => !alive(pid)), 5_000);
    expect(livePidsMatching(marker)).toEqual([]);

    // The thread and the server are still there for a reply.
    const threadId = completed.threadId as string;
    const reply = await c.call('statecraft-reply', { threadId, prompt: 'go on' });
    expect(reply.structuredContent).toEqual({ threadId, content: 'after the cancel' });
    await c.close();
  });
});

describe('mcp-server: the client going away', () => {
  it('closing stdin interrupts running turns, kills their processes, flushes the rollouts and exits 0', async () => {
    const marker = scene.marker();
    const f = await scene.open({ turns: [[sleeper(marker)], [sleeper(marker)]] });
    const s = await scene.spawn(f);
    const calls = [1, 2].map((n) =>
      s.call('statecraft', { prompt: `sleep ${n}`, cwd: f.ws, 'approval-policy': 'never', sandbox: 'workspace-write' }).catch((error: unknown) => error),
    );
    await until('both commands to start', () => eventsOf(s.events, 'item/started').filter((e) => e.event.params.item.type === 'commandExecution').length === 2);
    await until('both sleepers to run', () => livePidsMatching(marker).length >= 2);
    const sleepers = livePidsMatching(marker);

    await s.transport.close();
    const exit = await within(s.proc, 15_000, 'the server to exit');
    expect(exit.exitCode).toBe(0);
    expect(sleepers.filter((pid) => alive(pid))).toEqual([]);
    // Both turns reached their rollout files as interrupted.
    const files = await rolloutFiles(f.home);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const records = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((line): Json => JSON.parse(line));
      expect(records.filter((record) => record.type === 'turn_completed').map((record) => record.turn.status)).toEqual(['interrupted']);
    }
    await Promise.all(calls);
  });
});

describe('mcp-server: input it cannot use', () => {
  it('answers the handshake in JSON-RPC 2.0 with the latest protocol version, and an older one when asked for it', async () => {
    const f = await scene.open({ turns: [] });
    const s = await scene.spawn(f);
    const init = s.transport.lines.find((line) => line.id === 0);
    expect(init).toMatchObject({
      jsonrpc: '2.0',
      result: { protocolVersion: LATEST_PROTOCOL_VERSION, serverInfo: { name: 'statecraft' }, capabilities: { tools: {} } },
    });
    s.transport.writeLine(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'again',
        method: 'initialize',
        params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'old', version: '1' } },
      }),
    );
    await until('the second answer', () => s.transport.lines.some((line) => line.id === 'again'));
    expect(s.transport.lines.find((line) => line.id === 'again').result.protocolVersion).toBe('2025-03-26');
    await s.close();
  });

  it('malformed JSON-RPC, wrong parameter types, unknown tools and a 5 MB prompt get clear errors, and the server keeps serving', async () => {
    const f = await scene.open({ turns: [[{ text: 'still here' }]] });
    const s = await scene.spawn(f);
    const lines = s.transport.lines;

    s.transport.writeLine('{"jsonrpc": "2.0", "id": 7, "method": ');
    s.transport.writeLine(JSON.stringify({ id: 8, method: 'tools/list' }));
    s.transport.writeLine('[1, 2, 3]');
    await until('three errors', () => lines.filter((line) => line.error).length >= 3);
    const [parseError, noVersion, batch] = lines.filter((line) => line.error);
    expect(parseError).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect(parseError.error.message).toMatch(/parse error: .*send one JSON-RPC message per line/);
    expect(noVersion).toMatchObject({ jsonrpc: '2.0', id: 8, error: { code: -32600 } });
    expect(noVersion.error.message).toMatch(/invalid JSON-RPC message: .*"jsonrpc": "2.0"/);
    expect(batch).toMatchObject({ id: null, error: { code: -32600 } });

    const wrongTypes = await s.call('statecraft', { prompt: 42, sandbox: 'everything', extra: true });
    expect(wrongTypes.isError).toBe(true);
    expect(textOf(wrongTypes)).toMatch(/^invalid arguments for statecraft:/);
    expect(textOf(wrongTypes)).toMatch(/expected string, received number\s+→ at prompt/);
    expect(textOf(wrongTypes)).toMatch(/expected one of "read-only"\|"workspace-write"\|"danger-full-access"\s+→ at sandbox/);
    expect(textOf(wrongTypes)).toMatch(/Unrecognized key: "extra"/);
    const noThread = await s.call('statecraft-reply', { prompt: 'which thread?' });
    expect(textOf(noThread)).toMatch(/→ at threadId/);

    await expect(s.call('no-such-tool', {})).rejects.toThrow(/unknown tool "no-such-tool": this server offers statecraft and statecraft-reply/);

    const huge = await s.call('statecraft', { prompt: 'x'.repeat(5 * 1024 * 1024), cwd: f.ws });
    expect(huge.isError).toBe(true);
    expect(textOf(huge)).toContain(`the prompt has ${5 * 1024 * 1024} characters; the limit is ${MAX_PROMPT_CHARS}`);
    expect(f.model.requests).toHaveLength(0);

    const fine = await s.call('statecraft', { prompt: 'are you there?', cwd: f.ws });
    expect(textOf(fine)).toBe('still here');
    expect(alive(s.proc.pid!)).toBe(true);
    expect(s.stderr()).toMatch(/parse error/);
    await s.close();
    expect((await s.proc).exitCode).toBe(0);
  });
});
