/** turn/interrupt while a command runs: the process group dies, the item completes, the thread goes on. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livePidsMatching } from '../../support/processes.js';
import { scenes, sleep, text } from './client.js';

const scene = scenes();

describe('app-server: interrupt a running command', () => {
  it('kills the command with its children, completes the item, and the next turn runs', async () => {
    const marker = scene.marker();
    const f = await scene.open({
      turns: [[{ call: 'exec_command', args: { cmd: `touch started; sleep ${marker} & wait`, yield_time_ms: 30_000 } }], [{ text: 'next turn answer' }]],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
    const { turn } = await c.call('turn/start', { threadId: thread.id, input: text('long command') });
    const started = await c.waitFor('item/started', (m) => m.params.item.type === 'commandExecution');
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(f.ws, 'started'))) {
      if (Date.now() > deadline) throw new Error('the command never started');
      await sleep(50);
    }
    expect(livePidsMatching(marker).length).toBeGreaterThan(0);

    expect((await c.request('turn/interrupt', { threadId: thread.id, turnId: turn.id })).result).toEqual({});
    const done = await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id, 8_000);
    expect(done.params.turn.status).toBe('interrupted');
    const item = c.messages.filter((m) => m.method === 'item/completed' && m.params.item.id === started.params.item.id);
    expect(item).toHaveLength(1);
    expect(item[0].params.item.status).not.toBe('inProgress');
    // Completion comes before the turn's end.
    expect(c.messages.indexOf(item[0])).toBeLessThan(c.messages.indexOf(done));

    const until = Date.now() + 3_000;
    while (livePidsMatching(marker).length > 0 && Date.now() < until) await sleep(50);
    expect(livePidsMatching(marker)).toEqual([]);

    const next = (await c.call('turn/start', { threadId: thread.id, input: text('carry on') })).turn;
    const nextDone = await c.waitFor('turn/completed', (m) => m.params.turn.id === next.id);
    expect(nextDone.params.turn.status).toBe('completed');
    expect(await c.close()).toBe(0);
  });
});
