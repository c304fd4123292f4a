/** An ephemeral thread never touches the sessions directory. */
import { describe, expect, it } from 'vitest';
import { rolloutFiles, scenes, text } from './client.js';

const scene = scenes();

describe('app-server: ephemeral threads', () => {
  it('has no path, writes no rollout, and can be read while loaded', async () => {
    const f = await scene.open({ turns: [[{ text: 'fleeting answer' }]] });
    const c = scene.connect(f);
    await c.init();
    const started = await c.call('thread/start', { cwd: f.ws, ephemeral: true });
    expect(started.thread.ephemeral).toBe(true);
    expect(started.thread.path).toBeNull();
    const { turn } = await c.call('turn/start', { threadId: started.thread.id, input: text('do not keep this') });
    const done = await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    expect(done.params.turn.status).toBe('completed');

    const read = await c.call('thread/read', { threadId: started.thread.id });
    expect(read.thread.id).toBe(started.thread.id);
    expect(read.thread.path).toBeNull();
    expect(read.thread.ephemeral).toBe(true);
    expect(read.thread.preview).toBe('do not keep this');

    const listed = await c.call('thread/list', {});
    expect(listed.data.map((t: any) => t.id)).not.toContain(started.thread.id);
    expect(await c.close()).toBe(0);
    expect(await rolloutFiles(f.home)).toEqual([]);

    // Once its server is gone the thread is gone too.
    const again = scene.connect(f);
    await again.init();
    const missing = await again.request('thread/read', { threadId: started.thread.id });
    expect(missing.error.code).toBe(-32600);
    expect(await again.close()).toBe(0);
  });
});
