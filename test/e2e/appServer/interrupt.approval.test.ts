/** turn/interrupt while an approval is pending, and the stale answer that arrives afterwards. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenes, sleep, text } from './client.js';

const scene = scenes();

describe('app-server: interrupt with a pending approval', () => {
  it('resolves the request, declines the item, interrupts the turn and ignores a late answer', async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'echo should-not-run > ran.txt', sandbox_permissions: 'require_escalated', justification: 'x' } }],
        [{ text: 'unused' }],
      ],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    const { turn } = await c.call('turn/start', { threadId: thread.id, input: text('ask me') });
    const asked = await c.waitFor('item/commandExecution/requestApproval');
    await c.waitFor('thread/status/changed', (m) => m.params.status.activeFlags?.includes('waitingOnApproval'));

    const answer = await c.request('turn/interrupt', { threadId: thread.id, turnId: turn.id });
    expect(answer).toEqual({ id: answer.id, result: {} });

    const resolved = await c.waitFor('serverRequest/resolved', (m) => m.params.requestId === asked.id);
    expect(resolved.params.threadId).toBe(thread.id);
    const itemDone = await c.waitFor('item/completed', (m) => m.params.item.id === asked.params.itemId);
    expect(itemDone.params.item.status).toBe('declined');
    const completed = await c.waitFor('turn/completed');
    expect(completed.params.turn.id).toBe(turn.id);
    expect(completed.params.turn.status).toBe('interrupted');

    // The approval request is answered only now: the server logs it and carries on.
    const before = c.messages.length;
    c.send({ id: asked.id, result: { decision: 'accept' } });
    const models = await c.call('model/list', {});
    expect(Array.isArray(models.data)).toBe(true);
    await sleep(200);
    expect(c.stderr()).toMatch(/ignoring response for unknown server request id 0/);
    // The late accept started nothing.
    const after = c.messages.slice(before).filter((m) => m.method && m.method.startsWith('item/'));
    expect(after).toEqual([]);
    expect(c.exited).toBe(false);
    expect(existsSync(join(f.ws, 'ran.txt'))).toBe(false);
    // The interrupted turn asked the model nothing more.
    expect(f.model.requests).toHaveLength(1);

    // Nothing runs now: interrupting is an error.
    const stale = await c.request('turn/interrupt', { threadId: thread.id, turnId: turn.id });
    expect(stale.error.code).toBe(-32600);
    expect(stale.error.message).toBe('no active turn to interrupt');
    expect(await c.close()).toBe(0);
  });
});
