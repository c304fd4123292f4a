import { describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../../protocol/approval.schema.js';
import type { ProtocolEvent } from '../../../protocol/events.schema.js';
import { ApprovalBridge, forwardEvent } from '../../../adapters/app-server/index.js';
import { createHarness, type Harness } from './harness.js';

const commandParams = {
  kind: 'command' as const,
  threadId: 'T',
  turnId: 'U',
  itemId: 'call_1',
  startedAtMs: 5,
  environmentId: 'local',
  reason: 'needs network',
  command: 'curl example.com',
  cwd: '/ws',
  commandActions: [],
  proposedExecpolicyAmendment: ['curl'],
  availableDecisions: ['accept', 'decline'] as ApprovalDecision[],
  risk: null,
};
const fileParams = { threadId: 'T', turnId: 'U', itemId: 'patch_1', startedAtMs: 6, reason: null, grantRoot: '/ws' };

const askCommand = (approvalId: string): ProtocolEvent => ({ method: 'item/commandExecution/requestApproval', approvalId, params: commandParams });
const askFile = (approvalId: string): ProtocolEvent => ({ method: 'item/fileChange/requestApproval', approvalId, params: fileParams });
const resolved = (approvalId: string): ProtocolEvent => ({ method: 'serverRequest/resolved', approvalId, params: { threadId: 'T' } });

interface Setup {
  h: Harness;
  bridge: ApprovalBridge;
  decisions: Array<[string, string, ApprovalDecision]>;
}

const setup = (): Setup => {
  const h = createHarness();
  const decisions: Setup['decisions'] = [];
  const bridge = new ApprovalBridge(
    h.connection,
    (t, a, d) => void decisions.push([t, a, d]),
    (l) => h.logs.push(l),
  );
  return { h, bridge, decisions };
};

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('ApprovalBridge', () => {
  it('asks with the wire params and maps answers given in reverse order back to approval ids', async () => {
    const { h, bridge, decisions } = setup();
    expect(bridge.onEvent('T', askCommand('ap-1'))).toBe(true);
    expect(bridge.onEvent('T', askFile('ap-2'))).toBe(true);
    const first = await h.next((m) => m['id'] === 0);
    const second = await h.next((m) => m['id'] === 1);
    expect(first).toEqual({ id: 0, method: 'item/commandExecution/requestApproval', params: commandParams });
    expect(second).toEqual({ id: 1, method: 'item/fileChange/requestApproval', params: fileParams });

    h.send({ id: 1, result: { decision: 'acceptForSession' } });
    await settle();
    h.send({ id: 0, result: { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['curl'] } } } });
    await settle();
    expect(decisions).toEqual([
      ['T', 'ap-2', 'acceptForSession'],
      ['T', 'ap-1', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['curl'] } }],
    ]);

    bridge.onEvent('T', resolved('ap-2'));
    bridge.onEvent('T', resolved('ap-1'));
    const notes = await Promise.all([
      h.next((m) => m['method'] === 'serverRequest/resolved' && m['params']['requestId'] === 1),
      h.next((m) => m['method'] === 'serverRequest/resolved' && m['params']['requestId'] === 0),
    ]);
    for (const n of notes) {
      expect(n['params']['threadId']).toBe('T');
      expect(typeof n['emittedAtMs']).toBe('number');
    }
    expect(bridge.size).toBe(0);
    await h.end();
  });

  it('treats an invalid or error answer as decline', async () => {
    const { h, bridge, decisions } = setup();
    bridge.onEvent('T', askFile('a'));
    bridge.onEvent('T', askFile('b'));
    bridge.onEvent('T', askFile('c'));
    // The amendment form is not a valid decision for a patch.
    h.send({ id: 0, result: { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['x'] } } } });
    h.send({ id: 1, result: { decision: 'yes please' } });
    h.send({ id: 2, error: { code: -32000, message: 'client gave up' } });
    await settle();
    expect(decisions).toEqual([
      ['T', 'a', 'decline'],
      ['T', 'b', 'decline'],
      ['T', 'c', 'decline'],
    ]);
    await h.end();
  });

  it('when the runtime resolves first, a late answer is ignored', async () => {
    const { h, bridge, decisions } = setup();
    bridge.onEvent('T', askCommand('x'));
    bridge.onEvent('T', resolved('x'));
    await h.next((m) => m['method'] === 'serverRequest/resolved');
    h.send({ id: 0, result: { decision: 'accept' } });
    await h.end();
    expect(decisions).toEqual([]);
    expect(h.logs.some((l) => l.includes('unknown server request id 0'))).toBe(true);
  });

  it('keeps approvals of different threads apart and survives a failing decide', async () => {
    const h = createHarness();
    const seen: string[] = [];
    const bridge = new ApprovalBridge(
      h.connection,
      async (t, a) => {
        seen.push(`${t}/${a}`);
        throw new Error('runtime says no');
      },
      (l) => h.logs.push(l),
    );
    bridge.onEvent('T1', askFile('same'));
    bridge.onEvent('T2', askFile('same'));
    h.send({ id: 1, result: { decision: 'accept' } });
    h.send({ id: 0, result: { decision: 'accept' } });
    await settle();
    expect(seen).toEqual(['T2/same', 'T1/same']);
    expect(h.logs.some((l) => l.includes('runtime says no'))).toBe(true);
    await h.end();
  });

  it('forwardEvent sends everything else as notifications', async () => {
    const { h, bridge } = setup();
    const event: ProtocolEvent = { method: 'turn/diff/updated', params: { threadId: 'T', turnId: 'U', diff: '' } };
    expect(bridge.onEvent('T', event)).toBe(false);
    forwardEvent(h.connection, bridge, 'T', event);
    forwardEvent(h.connection, bridge, 'T', askFile('z'));
    const note = await h.next((m) => m['method'] === 'turn/diff/updated');
    expect(note['params']).toEqual(event.params);
    await h.next((m) => m['method'] === 'item/fileChange/requestApproval');
    expect(h.received).toHaveLength(2);
    await h.end();
  });
});
