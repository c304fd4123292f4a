/** thread/list pages newest first and rejects cursors it did not make. */
import { describe, expect, it } from 'vitest';
import { scenes, sleep, text } from './client.js';

const scene = scenes();

describe('app-server: thread/list paging', () => {
  it('pages through three threads and names a bad cursor', async () => {
    const f = await scene.open({ turns: [[{ text: 'one' }], [{ text: 'two' }], [{ text: 'three' }]] });
    const c = scene.connect(f);
    await c.init();
    const ids: string[] = [];
    for (const word of ['alpha', 'beta', 'gamma']) {
      // Rollout names carry the creation second; keep the three apart so "newest" is well defined.
      if (ids.length > 0) await sleep(1_050);
      const { thread } = await c.call('thread/start', { cwd: f.ws });
      const { turn } = await c.call('turn/start', { threadId: thread.id, input: text(`thread ${word}`) });
      await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
      ids.push(thread.id);
    }

    const page1 = await c.call('thread/list', { limit: 2 });
    expect(page1.data.map((t: any) => t.id)).toEqual([ids[2], ids[1]]);
    expect(page1.data.map((t: any) => t.preview)).toEqual(['thread gamma', 'thread beta']);
    expect(typeof page1.nextCursor).toBe('string');

    const page2 = await c.call('thread/list', { limit: 2, cursor: page1.nextCursor });
    expect(page2.data.map((t: any) => t.id)).toEqual([ids[0]]);
    expect(page2.nextCursor).toBeNull();

    const bad = await c.request('thread/list', { cursor: 'not-a-real-cursor' });
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.message).toContain('not-a-real-cursor');
    expect(bad.error.message).toMatch(/cursor/);
    expect(await c.close()).toBe(0);
  });
});
