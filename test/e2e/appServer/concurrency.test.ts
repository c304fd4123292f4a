/** One thread waiting on an approval does not hold up another thread's turn. */
import { describe, expect, it } from 'vitest';
import { scenes, text } from './client.js';

const scene = scenes();

describe('app-server: two threads at once', () => {
  it("completes thread B's turn while thread A waits for an approval, then finishes A", async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'echo from-a', sandbox_permissions: 'require_escalated', justification: 'a' } }],
        [{ text: 'reply for B', chunks: ['reply ', 'for B'] }],
        [{ text: 'A is done' }],
      ],
    });
    const c = scene.connect(f);
    await c.init();
    const a = (await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' })).thread;
    const b = (await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' })).thread;
    expect(a.id).not.toBe(b.id);

    const turnA = (await c.call('turn/start', { threadId: a.id, input: text('thread A') })).turn;
    const asked = await c.waitFor('item/commandExecution/requestApproval');
    expect(asked.params.threadId).toBe(a.id);

    const turnB = (await c.call('turn/start', { threadId: b.id, input: text('thread B') })).turn;
    const doneB = await c.waitFor('turn/completed', (m) => m.params.threadId === b.id);
    expect(doneB.params.turn.id).toBe(turnB.id);
    expect(doneB.params.turn.status).toBe('completed');
    const messageB = c.messages.find((m) => m.method === 'item/completed' && m.params.threadId === b.id && m.params.item.type === 'agentMessage');
    expect(messageB.params.item.text).toBe('reply for B');

    // A is still waiting: nothing completed it meanwhile.
    expect(c.messages.some((m) => m.method === 'turn/completed' && m.params.threadId === a.id)).toBe(false);
    const readA = await c.call('thread/read', { threadId: a.id });
    expect(readA.thread.status).toEqual({ type: 'active', activeFlags: ['waitingOnApproval'] });

    c.send({ id: asked.id, result: { decision: 'accept' } });
    const doneA = await c.waitFor('turn/completed', (m) => m.params.threadId === a.id);
    expect(doneA.params.turn.id).toBe(turnA.id);
    expect(doneA.params.turn.status).toBe('completed');
    const cmd = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === asked.params.itemId);
    expect(cmd.params.item.status).toBe('completed');
    expect(cmd.params.item.aggregatedOutput).toContain('from-a');

    // No event of one thread carries the other's turn id.
    for (const m of c.messages) {
      if (m.params?.turnId === turnA.id) expect(m.params.threadId).toBe(a.id);
      if (m.params?.turnId === turnB.id) expect(m.params.threadId).toBe(b.id);
    }
    expect(await c.close()).toBe(0);
  });
});
