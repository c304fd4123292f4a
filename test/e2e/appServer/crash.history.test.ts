/**
 * After `kill -9` and resume, the next model request carries the whole conversation: the
 * calls the model made, their outputs and its reasoning, for a turn that was cut off as
 * much as for one that finished.
 */
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../actors/exec/helpers.js';
import { type Client, scenes, text, within } from './client.js';

const scene = scenes();

type Json = any;
const inputOf = (request: unknown): Json[] => (request as { input: Json[] }).input;

/** Kills the server once its thread's records are on disk (thread/read flushes a loaded thread first). */
async function crash(c: Client, threadId: string): Promise<void> {
  await c.call('thread/read', { threadId, includeTurns: true });
  c.proc.kill('SIGKILL');
  await within(c.proc, 5_000, 'the killed server');
}

describe('app-server: the model history after a crash', () => {
  it('a turn cut off after its command ran comes back with the call, its output and the reasoning', async () => {
    const f = await scene.open({
      turns: [
        [{ reasoning: ['I should look first.'] }, { call: 'exec_command', args: { cmd: 'echo output-of-the-call' } }],
        // The answer never finishes: the server is killed while it streams.
        [{ text: 'never finished', chunks: ['never ', 'finished'], delayMs: 60_000 }],
        [{ text: 'picked up again' }],
      ],
    });
    const first = scene.connect(f);
    await first.init();
    const { thread } = await first.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    await first.call('turn/start', { threadId: thread.id, input: text('look around') });
    expect(await waitUntil(() => f.model.requests.length >= 2, 15_000)).toBe(true);
    await crash(first, thread.id);
    // What the model was sent last before the crash: the turn so far, call and output included.
    const beforeCrash = inputOf(f.model.requests[1]);
    const call = beforeCrash.find((item) => item.type === 'function_call');
    expect(call?.name).toBe('exec_command');
    expect(beforeCrash.find((item) => item.type === 'function_call_output')?.output).toContain('output-of-the-call');

    const second = scene.connect(f);
    await second.init();
    await second.call('thread/resume', { threadId: thread.id });
    const { turn } = await second.call('turn/start', { threadId: thread.id, input: text('and now?') });
    const done = await second.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    expect(done.params.turn.status).toBe('completed');
    const afterResume = inputOf(f.model.requests[2]);
    expect(afterResume.slice(0, beforeCrash.length)).toEqual(beforeCrash);
    expect(JSON.stringify(afterResume.slice(beforeCrash.length))).toContain('and now?');
    expect(await second.close()).toBe(0);
  });

  it('a finished turn comes back with its calls, outputs and answer', async () => {
    const f = await scene.open({
      turns: [
        [{ reasoning: ['Check the tree.'] }, { call: 'exec_command', args: { cmd: 'echo finished-call' } }],
        [{ text: 'all done' }],
        [{ text: 'second turn answer' }],
      ],
    });
    const first = scene.connect(f);
    await first.init();
    const { thread } = await first.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    const started = await first.call('turn/start', { threadId: thread.id, input: text('do it') });
    await first.waitFor('turn/completed', (m) => m.params.turn.id === started.turn.id);
    await crash(first, thread.id);
    const lastOfFirstTurn = inputOf(f.model.requests[1]);

    const second = scene.connect(f);
    await second.init();
    await second.call('thread/resume', { threadId: thread.id });
    const { turn } = await second.call('turn/start', { threadId: thread.id, input: text('next') });
    await second.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    const afterResume = inputOf(f.model.requests[2]);
    expect(afterResume.slice(0, lastOfFirstTurn.length)).toEqual(lastOfFirstTurn);
    expect(afterResume[lastOfFirstTurn.length]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'all done' }] });
    expect(await second.close()).toBe(0);
  });
});
