/** thread/resume and thread/read name a thread by its full id or a unique prefix, never by its last group. */
import { describe, expect, it } from 'vitest';
import { scenes, text } from './client.js';

const scene = scenes();

describe('app-server: thread ids', () => {
  it('resumes by a unique prefix and refuses the last group of an id', async () => {
    const f = await scene.open({ turns: [[{ text: 'recorded' }]] });
    const first = scene.connect(f);
    await first.init();
    const { thread } = await first.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'read-only' });
    const { turn } = await first.call('turn/start', { threadId: thread.id, input: text('hi') });
    await first.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    expect(await first.close()).toBe(0);

    const second = scene.connect(f);
    await second.init();
    const tail = await second.request('thread/resume', { threadId: thread.id.split('-').at(-1) });
    expect(tail.error?.code).toBe(-32600);
    expect(tail.error?.message).toContain('no thread with id');
    const read = await second.request('thread/read', { threadId: thread.id.split('-').at(-1) });
    expect(read.error?.code).toBe(-32600);

    const resumed = await second.call('thread/resume', { threadId: thread.id.slice(0, 8) });
    expect(resumed.thread.id).toBe(thread.id);
    // The prefix names the loaded thread now, not a second copy of it.
    const again = await second.call('thread/resume', { threadId: thread.id.slice(0, 13) });
    expect(again.thread.id).toBe(thread.id);
    expect((await second.call('thread/read', { threadId: thread.id.slice(0, 8) })).thread.status.type).toBe('idle');
    expect(await second.close()).toBe(0);
  });
});
