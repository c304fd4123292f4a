import { type FileUpdateChange, type PlainApprovalDecision, type ProtocolEventOf } from '../../protocol/index.js';
import {
  ApprovalFormContent,
  ElicitationAnswer,
  ReviewDecisionAnswer,
  type ExecApprovalElicitation,
  type PatchApprovalElicitation,
} from '../../protocol/mcpServer/index.js';

export type ApprovalEvent = ProtocolEventOf<'item/commandExecution/requestApproval'> | ProtocolEventOf<'item/fileChange/requestApproval'>;

/** What an approval elicitation needs besides the event: the tool call it belongs to and the patch's changes. */
export interface ElicitationContext {
  toolCallId: string | number;
  /** The changes of the patch's item, shown when it started. */
  changes: FileUpdateChange[];
}

/** The decisions an approval offers that an elicitation can carry (the amendment form needs a command prefix a form has no field for). */
export function offeredDecisions(event: ApprovalEvent): PlainApprovalDecision[] {
  const all: PlainApprovalDecision[] = ['accept', 'acceptForSession', 'decline', 'cancel'];
  if (event.method === 'item/fileChange/requestApproval') return all;
  return all.filter((decision) => event.params.availableDecisions.includes(decision));
}

/** The one field of the form: accept once, or for the rest of the session when that is offered. */
function requestedSchema(offered: PlainApprovalDecision[]): Record<string, unknown> {
  if (!offered.includes('acceptForSession')) return { type: 'object', properties: {} };
  return {
    type: 'object',
    properties: {
      decision: {
        type: 'string',
        title: 'Allow',
        description: 'accept: this time only; acceptForSession: this and the same again without asking, for the rest of the session',
        enum: ['accept', 'acceptForSession'],
        default: 'accept',
      },
    },
  };
}

const because = (reason: string | null) => (reason ? `\nReason: ${reason}` : '');

/** `elicitation/create` params for an approval: a message saying what and why, and the `codex_*` fields. */
export function approvalElicitation(event: ApprovalEvent, context: ElicitationContext): ExecApprovalElicitation | PatchApprovalElicitation {
  const base = {
    requestedSchema: requestedSchema(offeredDecisions(event)),
    codex_mcp_tool_call_id: context.toolCallId,
    codex_event_id: event.params.turnId,
    codex_call_id: event.params.itemId,
  };
  if (event.method === 'item/commandExecution/requestApproval') {
    const { command, cwd, reason, commandActions } = event.params;
    return {
      ...base,
      message: `Allow statecraft to run \`${command}\` in ${cwd}?${because(reason)}`,
      codex_elicitation: 'exec-approval',
      codex_command: command,
      codex_cwd: cwd,
      codex_parsed_cmd: commandActions,
    };
  }
  const { reason, grantRoot } = event.params;
  const paths = context.changes.map((change) => change.path);
  const what = paths.length > 0 ? `${paths.length === 1 ? 'this file' : `these ${paths.length} files`}: ${paths.join(', ')}` : 'files';
  const root = grantRoot ? `\nAccepting for the session also lets it write under ${grantRoot} from now on.` : '';
  return {
    ...base,
    message: `Allow statecraft to change ${what}?${because(reason)}${root}`,
    codex_elicitation: 'patch-approval',
    codex_reason: reason,
    codex_grant_root: grantRoot,
    codex_changes: context.changes,
  };
}

/** Codex's review decisions, as clients written for its MCP server answer. */
const reviewDecisions = { approved: 'accept', approved_for_session: 'acceptForSession', denied: 'decline', abort: 'cancel' } as const;

/**
 * The decision a client's answer stands for; null when the answer is not one (the caller
 * declines then: nothing runs that the user did not clearly allow). A session-wide accept
 * the approval does not offer counts as a plain accept.
 */
export function decisionFromAnswer(answer: unknown, offered: PlainApprovalDecision[]): PlainApprovalDecision | null {
  const elicited = ElicitationAnswer.safeParse(answer);
  const reviewed = ReviewDecisionAnswer.safeParse(answer);
  let decision: PlainApprovalDecision;
  if (elicited.success) {
    const content = ApprovalFormContent.safeParse(elicited.data.content ?? {});
    if (elicited.data.action !== 'accept') decision = elicited.data.action;
    else decision = content.success && content.data.decision === 'acceptForSession' ? 'acceptForSession' : 'accept';
  } else if (reviewed.success) {
    decision = reviewDecisions[reviewed.data.decision];
  } else {
    return null;
  }
  if (decision === 'acceptForSession' && !offered.includes(decision)) return 'accept';
  return decision;
}
