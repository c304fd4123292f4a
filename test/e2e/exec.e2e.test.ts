import { writeFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execCli, jsonEvents, scene, toolOutputsSeen, type Scene } from './cli.harness.js';

let current: Scene | null = null;
const open = async (script: Parameters<typeof scene>[0]) => (current = await scene(script));
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('statecraft exec against the scripted model', () => {
  it('streams the agent text and prints the thread id first in --json', async () => {
    const s = await open({ turns: [[{ text: 'Hello from the model.', chunks: ['Hello ', 'from ', 'the model.'] }]] });
    const result = await execCli(s, ['--json', 'say hello']);
    expect(result.exitCode).toBe(0);
    const events = jsonEvents(result.stdout);
    expect(events[0]).toMatchObject({ type: 'thread.started', thread_id: expect.any(String) });
    expect(events.map((event) => event.type)).toEqual(['thread.started', 'turn.started', 'item.completed', 'turn.completed']);
    expect(events[2]!.item).toMatchObject({ type: 'agent_message', text: 'Hello from the model.' });
    expect(events[3]!.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
    const transcript = await execCli(s, ['say hello again']);
    expect(transcript.exitCode).toBe(0);
  });

  it('shows reasoning summaries', async () => {
    const s = await open({ turns: [[{ reasoning: ['Thinking about the question.'] }, { text: 'Answer.' }]] });
    const result = await execCli(s, ['--json', 'think']);
    expect(result.exitCode).toBe(0);
    const items = jsonEvents(result.stdout)
      .filter((event) => event.type === 'item.completed')
      .map((event) => event.item);
    expect(items[0]).toMatchObject({ type: 'reasoning', text: expect.stringContaining('Thinking about the question.') });
    expect(items[1]).toMatchObject({ type: 'agent_message', text: 'Answer.' });
  });

  it('runs a command automatically inside the sandbox and gives the model its output', async () => {
    const s = await open({ turns: [[{ call: 'exec_command', args: { cmd: 'echo hi from the shell' } }], [{ text: 'Ran it.' }]] });
    const result = await execCli(s, ['--json', '-s', 'workspace-write', 'run echo']);
    expect(result.exitCode).toBe(0);
    const command = jsonEvents(result.stdout).find((event) => event.type === 'item.completed' && event.item.type === 'command_execution');
    expect(command?.item).toMatchObject({ aggregated_output: 'hi from the shell\n', exit_code: 0, status: 'completed' });
    const outputs = toolOutputsSeen(s.server.requests);
    expect(outputs[0]).toMatch(/^Exit code: 0\nWall time: [\d.]+ seconds\nOutput:\nhi from the shell\n/);
  });

  it('tells the model the exit code and stderr of a failing command', async () => {
    const s = await open({ turns: [[{ call: 'exec_command', args: { cmd: 'echo broken >&2; exit 3' } }], [{ text: 'It failed.' }]] });
    const result = await execCli(s, ['--json', 'fail']);
    expect(result.exitCode).toBe(0);
    const command = jsonEvents(result.stdout).find((event) => event.type === 'item.completed' && event.item.type === 'command_execution');
    expect(command?.item).toMatchObject({ exit_code: 3, status: 'failed' });
    expect(toolOutputsSeen(s.server.requests)[0]).toMatch(/^Exit code: 3\n[\s\S]*broken/);
  });

  it('streams the output of a long command while it runs', async () => {
    const s = await open({
      turns: [[{ call: 'exec_command', args: { cmd: 'echo first; sleep 1.5; echo second' } }], [{ text: 'Streamed.' }]],
    });
    const child = execCli(s, ['stream it']);
    const seen: Record<string, number> = {};
    child.stdout!.on('data', (chunk: Buffer) => {
      // Whole output lines only: the command line printed above the output names both words.
      for (const word of ['first', 'second']) if (!seen[word] && new RegExp(`^${word}$`, 'm').test(chunk.toString())) seen[word] = Date.now();
    });
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(seen.first).toBeDefined();
    expect(seen.second! - seen.first!).toBeGreaterThan(1000);
  });

  it('answers update_plan with the plan as a todo list', async () => {
    const plan = [
      { step: 'read the code', status: 'completed' },
      { step: 'fix the bug', status: 'in_progress' },
    ];
    const s = await open({ turns: [[{ call: 'update_plan', args: { explanation: 'two steps', plan } }], [{ text: 'Planned.' }]] });
    const result = await execCli(s, ['--json', 'plan']);
    expect(result.exitCode).toBe(0);
    const todo = jsonEvents(result.stdout).find((event) => event.item?.type === 'todo_list');
    expect(todo?.item.items).toEqual([
      { text: 'read the code', completed: true },
      { text: 'fix the bug', completed: false },
    ]);
    expect(toolOutputsSeen(s.server.requests)).toContain('Plan updated');
  });

  it('sends an image the model asked to view as an input image', async () => {
    const s = await open({ turns: [[{ call: 'view_image', args: { path: 'pixel.png' } }], [{ text: 'A pixel.' }]] });
    await writeFile(join(s.workspace, 'pixel.png'), PNG_1X1);
    const result = await execCli(s, ['--json', 'look']);
    expect(result.exitCode).toBe(0);
    const second = JSON.stringify(s.server.requests[1]);
    expect(second).toContain(`data:image/png;base64,${PNG_1X1.toString('base64')}`);
  });

  it('retries after an HTTP 500 and succeeds', async () => {
    const s = await open({ turns: [{ error: { status: 500, message: 'upstream hiccup' } }, [{ text: 'Recovered.' }]] });
    const result = await execCli(s, ['--json', 'retry']);
    expect(result.exitCode).toBe(0);
    const events = jsonEvents(result.stdout);
    expect(events.find((event) => event.type === 'item.completed')?.item.text).toBe('Recovered.');
    expect(s.server.requests).toHaveLength(2);
  });

  it('retries a dropped stream and reports the retry', async () => {
    const s = await open({ turns: [{ drop: { afterItems: 0 } }, [{ text: 'Second try.' }]] });
    const result = await execCli(s, ['--json', 'drop']);
    expect(result.exitCode).toBe(0);
    const events = jsonEvents(result.stdout);
    expect(events.some((event) => event.type === 'error')).toBe(true);
    expect(events.find((event) => event.type === 'item.completed')?.item.text).toBe('Second try.');
  });

  it('fails with the server message on HTTP 400', async () => {
    const s = await open({ turns: [{ error: { status: 400, message: 'unknown parameter: frobnicate' } }] });
    const result = await execCli(s, ['fail please']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('unknown parameter: frobnicate');
    expect(s.server.requests).toHaveLength(1);
  });

  it('declines an escalation request when there is no terminal to ask on, and the turn goes on', async () => {
    const s = await open({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'touch ../outside.txt', sandbox_permissions: 'require_escalated', justification: 'write outside' } }],
        [{ text: 'Understood.' }],
      ],
    });
    const result = await execCli(s, ['--json', '-a', 'on-request', 'escalate']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('declined an approval request');
    // A command declined before it ran is no item of the JSONL, as Codex prints none for it.
    expect(jsonEvents(result.stdout).filter((event) => event.item?.type === 'command_execution')).toEqual([]);
    expect(toolOutputsSeen(s.server.requests)[0]).toMatch(/rejected by the user/);
    await expect(readFile(join(s.root, 'outside.txt'))).rejects.toThrow();
  });

  it('refuses an escalation under approval policy never and tells the model why', async () => {
    const s = await open({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'touch ../outside.txt', sandbox_permissions: 'require_escalated', justification: 'write outside' } }],
        [{ text: 'Understood.' }],
      ],
    });
    const result = await execCli(s, ['--json', 'escalate']);
    expect(result.exitCode).toBe(0);
    expect(toolOutputsSeen(s.server.requests)[0]).toMatch(/approval policy is "never"/);
    await expect(readFile(join(s.root, 'outside.txt'))).rejects.toThrow();
  });

  it('names the file and key of a broken config.toml', async () => {
    const s = await open({ turns: [[{ text: 'never reached' }]] });
    await writeFile(join(s.home, 'config.toml'), 'approval_policy = "sometimes"\n');
    const result = await execCli(s, ['hello']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(join(s.home, 'config.toml'));
    expect(result.stderr).toContain('approval_policy');
    expect(s.server.requests).toHaveLength(0);
  });

  it('writes the last agent message with -o', async () => {
    const s = await open({ turns: [[{ text: 'The final word.' }]] });
    await mkdir(join(s.root, 'out'));
    const file = join(s.root, 'out', 'last.txt');
    const result = await execCli(s, ['-o', file, 'speak']);
    expect(result.exitCode).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('The final word.');
  });
});
