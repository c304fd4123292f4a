/** thread/read and thread/resume on a loaded thread report its running turn as running. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../actors/exec/helpers.js';
import { scenes, text } from './client.js';

const scene = scenes();

describe('app-server: a running turn', () => {
  it('reads as inProgress while it runs and as interrupted once interrupted', async () => {
    const marker = scene.marker();
    const f = await scene.open({
      turns: [[{ call: 'exec_command', args: { cmd: `touch started; sleep ${marker}`, yield_time_ms: 30_000 } }], [{ text: 'after the interrupt' }]],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    const { turn } = await c.call('turn/start', { threadId: thread.id, input: text('run something long') });
    expect(await waitUntil(() => existsSync(join(f.ws, 'started')), 10_000)).toBe(true);

    const read = await c.call('thread/read', { threadId: thread.id, includeTurns: true });
    expect(read.thread.turns.map((t: any) => [t.id, t.status, t.completedAt, t.durationMs])).toEqual([[turn.id, 'inProgress', null, null]]);
    expect(read.thread.status.type).toBe('active');
    const resumed = await c.call('thread/resume', { threadId: thread.id });
    expect(resumed.thread.turns.map((t: any) => [t.id, t.status])).toEqual([[turn.id, 'inProgress']]);

    await c.call('turn/interrupt', { threadId: thread.id, turnId: turn.id });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    const after = await c.call('thread/read', { threadId: thread.id, includeTurns: true });
    expect(after.thread.turns.map((t: any) => [t.id, t.status])).toEqual([[turn.id, 'interrupted']]);
    expect(await c.close()).toBe(0);
  });
});
