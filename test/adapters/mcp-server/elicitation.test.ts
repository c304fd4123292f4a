/** How an approval elicitation is asked, and what the client's answer decides. */
import { describe, expect, it } from 'vitest';
import { approvalElicitation, decisionFromAnswer, offeredDecisions, type ApprovalEvent } from '../../../adapters/mcp-server/elicitation.js';

const command = (availableDecisions: ('accept' | 'acceptForSession' | 'decline' | 'cancel')[]): ApprovalEvent => ({
  method: 'item/commandExecution/requestApproval',
  approvalId: 'a1',
  params: {
    kind: 'command',
    threadId: 't',
    turnId: 'turn-1',
    itemId: 'call-1',
    startedAtMs: 0,
    environmentId: 'local',
    reason: 'needs the network',
    command: "bash -lc 'curl example.com'",
    cwd: '/ws',
    commandActions: [{ type: 'unknown', command: 'curl example.com' }],
    proposedExecpolicyAmendment: ['curl'],
    availableDecisions,
    risk: null,
  },
});

const all = ['accept', 'acceptForSession', 'decline', 'cancel'] as const;

describe('decisionFromAnswer', () => {
  it('maps elicitation actions, with a session-wide accept from the form content', () => {
    expect(decisionFromAnswer({ action: 'accept' }, [...all])).toBe('accept');
    expect(decisionFromAnswer({ action: 'accept', content: { decision: 'acceptForSession' } }, [...all])).toBe('acceptForSession');
    expect(decisionFromAnswer({ action: 'accept', content: null }, [...all])).toBe('accept');
    expect(decisionFromAnswer({ action: 'decline' }, [...all])).toBe('decline');
    expect(decisionFromAnswer({ action: 'cancel' }, [...all])).toBe('cancel');
  });

  it("takes the {decision} answers of clients written for Codex's MCP server", () => {
    expect(decisionFromAnswer({ decision: 'approved' }, [...all])).toBe('accept');
    expect(decisionFromAnswer({ decision: 'approved_for_session' }, [...all])).toBe('acceptForSession');
    expect(decisionFromAnswer({ decision: 'denied' }, [...all])).toBe('decline');
    expect(decisionFromAnswer({ decision: 'abort' }, [...all])).toBe('cancel');
  });

  it('turns a session-wide accept the approval does not offer into a plain accept', () => {
    expect(decisionFromAnswer({ action: 'accept', content: { decision: 'acceptForSession' } }, ['accept', 'decline', 'cancel'])).toBe('accept');
  });

  it('has no decision for answers that are not one (the caller declines them)', () => {
    for (const answer of [null, 'yes', {}, { action: 'maybe' }, { decision: 'sure' }]) expect(decisionFromAnswer(answer, [...all])).toBeNull();
    // An odd form content does not widen an accept.
    expect(decisionFromAnswer({ action: 'accept', content: { decision: 'everything' } }, [...all])).toBe('accept');
  });
});

describe('approvalElicitation', () => {
  it('offers the session-wide accept in the form only when the approval does', () => {
    const narrow = command(['accept', 'decline', 'cancel']);
    expect(offeredDecisions(narrow)).toEqual(['accept', 'decline', 'cancel']);
    expect(approvalElicitation(narrow, { toolCallId: 3, changes: [] }).requestedSchema).toEqual({ type: 'object', properties: {} });
    const wide = approvalElicitation(command([...all]), { toolCallId: 3, changes: [] });
    expect(wide.requestedSchema).toMatchObject({ properties: { decision: { enum: ['accept', 'acceptForSession'] } } });
    expect(wide).toMatchObject({ codex_elicitation: 'exec-approval', codex_mcp_tool_call_id: 3, codex_event_id: 'turn-1', codex_call_id: 'call-1' });
    expect(wide.message).toBe("Allow statecraft to run `bash -lc 'curl example.com'` in /ws?\nReason: needs the network");
  });
});
