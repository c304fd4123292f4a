/** SIGKILL mid-command, then a new server on the same home picks the thread up. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenes, sleep, text, within } from './client.js';

const scene = scenes();

describe('app-server: crash and resume', () => {
  it('lists, reads and resumes a thread whose server was killed during a turn', async () => {
    const marker = scene.marker();
    const f = await scene.open({
      turns: [[{ call: 'exec_command', args: { cmd: `touch started; sleep ${marker}`, yield_time_ms: 30_000 } }], [{ text: 'back again' }]],
    });
    const first = scene.connect(f);
    await first.init();
    const { thread } = await first.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
    const firstText = 'the very first message';
    const { turn } = await first.call('turn/start', { threadId: thread.id, input: text(firstText) });
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(f.ws, 'started'))) {
      if (Date.now() > deadline) throw new Error(`the command never started; stderr:\n${first.stderr()}`);
      await sleep(50);
    }
    first.proc.kill('SIGKILL');
    await within(first.proc, 5_000, 'the killed server');

    const second = scene.connect(f);
    await second.init();
    const listed = await second.call('thread/list', {});
    const entry = listed.data.find((t: any) => t.id === thread.id);
    expect(entry, JSON.stringify(listed)).toBeDefined();
    expect(entry.preview).toBe(firstText);
    expect(entry.status).toEqual({ type: 'notLoaded' });

    const read = await second.call('thread/read', { threadId: thread.id, includeTurns: true });
    expect(read.thread.turns.map((t: any) => [t.id, t.status])).toEqual([[turn.id, 'interrupted']]);

    const resumed = await second.call('thread/resume', { threadId: thread.id });
    expect(resumed.thread.id).toBe(thread.id);
    expect(resumed.thread.turns.map((t: any) => [t.id, t.status])).toEqual([[turn.id, 'interrupted']]);
    const userItem = resumed.thread.turns[0].items.find((i: any) => i.type === 'userMessage');
    expect(userItem?.content?.[0]?.text).toBe(firstText);

    const next = (await second.call('turn/start', { threadId: thread.id, input: text('and now?') })).turn;
    const done = await second.waitFor('turn/completed', (m) => m.params.turn.id === next.id);
    expect(done.params.turn.status).toBe('completed');
    expect(f.model.requests).toHaveLength(2);
    const body = JSON.stringify(f.model.requests[1]);
    expect(body).toContain(firstText);
    expect(body).toContain('and now?');

    const readAfter = await second.call('thread/read', { threadId: thread.id, includeTurns: true });
    expect(readAfter.thread.turns.map((t: any) => t.status)).toEqual(['interrupted', 'completed']);
    expect(await second.close()).toBe(0);
  });
});
