import type { ApprovalDecision } from '../../protocol/index.js';
import type { PolicyCheckInput, PolicyVerdict } from '../../machines/index.js';

export interface PolicyEnvironment {
  /** Whether commands can be confined here (bubblewrap works); when not, confinement is asked for instead. */
  sandboxAvailable: boolean;
}

const ASK_DECISIONS: ApprovalDecision[] = ['accept', 'acceptForSession', 'decline', 'cancel'];

/**
 * Decides how a command runs under the approval policy and sandbox mode: inside the
 * sandbox, outside it, only after asking the user, or not at all. What the user accepted
 * for the session runs without asking again, in the mode it was accepted for.
 */
export function decideExecPolicy(input: PolicyCheckInput, env: PolicyEnvironment): PolicyVerdict {
  const { prepared, approvalPolicy, sandboxMode, sessionGrants } = input;
  if (prepared.kind !== 'exec') return { decision: 'run', mode: 'sandboxed' };
  const escalate = prepared.escalationRequested;
  const unconfined = sandboxMode === 'danger-full-access';

  if (sessionGrants.includes(prepared.grantKey)) return { decision: 'run', mode: escalate || unconfined ? 'escalated' : 'sandboxed' };

  if (escalate && !unconfined) {
    if (approvalPolicy === 'never') {
      return {
        decision: 'refuse',
        message:
          'exec_command asked to run outside the sandbox, but the approval policy is "never", so nobody can approve it. ' +
          'Run it inside the sandbox (without sandbox_permissions), or tell the user what you need.',
      };
    }
    return {
      decision: 'ask',
      reason: prepared.justification,
      proposedAmendment: null,
      availableDecisions: ASK_DECISIONS,
      modeAfterApproval: 'escalated',
    };
  }

  if (!unconfined && !env.sandboxAvailable) {
    if (approvalPolicy === 'never') {
      return {
        decision: 'refuse',
        message:
          'The sandbox is not available on this machine and the approval policy is "never", so commands cannot run. ' +
          'The user can install bubblewrap, or choose --sandbox danger-full-access.',
      };
    }
    return {
      decision: 'ask',
      reason: 'The sandbox is unavailable here, so this command would run without confinement.',
      proposedAmendment: null,
      availableDecisions: ASK_DECISIONS,
      modeAfterApproval: 'escalated',
    };
  }

  if (approvalPolicy === 'untrusted') {
    return {
      decision: 'ask',
      reason: null,
      proposedAmendment: null,
      availableDecisions: ASK_DECISIONS,
      modeAfterApproval: unconfined ? 'escalated' : 'sandboxed',
    };
  }
  return { decision: 'run', mode: unconfined ? 'escalated' : 'sandboxed' };
}
