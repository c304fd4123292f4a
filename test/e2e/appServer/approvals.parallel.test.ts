/** Two approvals asked at once, answered out of order. */
import { describe, expect, it } from 'vitest';
import { scenes, text } from './client.js';

const scene = scenes();

describe('app-server: parallel approvals', () => {
  it('routes each answer to its own request, whatever the order', async () => {
    const f = await scene.open({
      turns: [
        [
          { call: 'exec_command', args: { cmd: 'echo first-cmd', sandbox_permissions: 'require_escalated', justification: 'one' } },
          { call: 'exec_command', args: { cmd: 'echo second-cmd', sandbox_permissions: 'require_escalated', justification: 'two' } },
        ],
        [{ text: 'both handled' }],
      ],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('two commands') });

    const approval = (id: number) => c.waitFor('item/commandExecution/requestApproval', (m) => m.id === id);
    const [a0, a1] = await Promise.all([approval(0), approval(1)]);
    expect(a0.params.threadId).toBe(thread.id);
    expect(a1.params.itemId).not.toBe(a0.params.itemId);

    // Answer the second first, with a decline.
    c.send({ id: 1, result: { decision: 'decline' } });
    const resolved1 = await c.waitFor('serverRequest/resolved', (m) => m.params.requestId === 1);
    expect(resolved1.params.threadId).toBe(thread.id);
    c.send({ id: 0, result: { decision: 'accept' } });
    await c.waitFor('serverRequest/resolved', (m) => m.params.requestId === 0);

    const done = await c.waitFor('turn/completed');
    expect(done.params.turn.status).toBe('completed');

    const completed = (itemId: string) => c.messages.filter((m) => m.method === 'item/completed' && m.params.item.id === itemId);
    const item0 = completed(a0.params.itemId);
    const item1 = completed(a1.params.itemId);
    expect(item0).toHaveLength(1);
    expect(item1).toHaveLength(1);
    expect(item0[0].params.item.status).toBe('completed');
    expect(item0[0].params.item.aggregatedOutput).toContain(a0.params.command.includes('first-cmd') ? 'first-cmd' : 'second-cmd');
    expect(item1[0].params.item.status).toBe('declined');

    // Exactly one resolved notification per request.
    const resolvedIds = c.messages.filter((m) => m.method === 'serverRequest/resolved').map((m) => m.params.requestId);
    expect(resolvedIds.sort()).toEqual([0, 1]);
    // resolved comes before the item's completion.
    const index = (pred: (m: any) => boolean) => c.messages.findIndex(pred);
    expect(index((m) => m.method === 'serverRequest/resolved' && m.params.requestId === 1)).toBeLessThan(
      index((m) => m.method === 'item/completed' && m.params.item.id === a1.params.itemId),
    );
    // The model hears about both: one ran, one was refused by the user.
    expect(f.model.requests).toHaveLength(2);
    const outputs = ((f.model.requests[1] as any).input as any[])
      .filter((item) => item.type === 'function_call_output')
      .map((item) => (typeof item.output === 'string' ? item.output : JSON.stringify(item.output)));
    expect(outputs).toHaveLength(2);
    expect(outputs.filter((o) => /Exit code: 0/.test(o))).toHaveLength(1);
    expect(outputs.filter((o) => /reject/i.test(o))).toHaveLength(1);
    expect(await c.close()).toBe(0);
  });
});
