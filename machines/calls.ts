import type { AnyActorRef } from 'xstate';
/**
 * What a tool call is made of as it passes between the machines and the actors that carry
 * it out, and the typed messages a call sends up the tree (never wire events to be parsed).
 */
import type {
  ApprovalDecision,
  ApprovalPolicy,
  ExecRun,
  FileUpdateChange,
  PatchRun,
  PlanStep,
  ResponseItem,
  SandboxMode,
  ThreadItem,
  ThreadSettings,
} from '../protocol/index.js';
import type { Clock } from './clock.js';
import type { CommandView } from './events.js';

/** A call the model made, as the turn hands it over. */
export interface ToolCallRequest {
  callId: string;
  name: string;
  /** function tools get JSON arguments, custom (freeform) tools get raw input. */
  kind: 'function' | 'custom';
  payload: string;
}

/** A command to run (or input for a running one), resolved from the model's arguments. */
export interface ExecCall {
  kind: 'exec';
  view: CommandView;
  run: ExecRun;
  /** The model asked to run it outside the sandbox. */
  escalationRequested: boolean;
  justification: string | null;
  /** The key under which "accept for session" remembers this command. */
  grantKey: string;
}

/** Input for a command started earlier (write_stdin); it is not judged again. */
export interface StdinCall {
  kind: 'writeStdin';
  view: CommandView;
  run: Extract<ExecRun, { kind: 'poll' }>;
}

/** A planned patch, shown before anything is written. */
export interface PatchCall {
  kind: 'patch';
  changes: FileUpdateChange[];
  run: PatchRun;
  /** The directory "accept for session" would open to patches, when there is one. */
  grantRoot: string | null;
  grantKey: string;
}

/** A tool of a configured MCP server, as the model called it. */
export interface McpCall {
  kind: 'mcp';
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** The server marked the tool `readOnlyHint: true`: it runs without asking. */
  readOnly: boolean;
  /** The key under which "accept for session" remembers this server's tool. */
  grantKey: string;
}

/** How an MCP tool call went, as the actor that made it reports it. */
export interface McpOutcome {
  /** The server's result as the item shows it; null when the call failed. */
  result: { content: unknown[]; structuredContent?: unknown } | null;
  error: string | null;
  /** What the model reads: the output, and images when the tool returned some. */
  items: ResponseItem[];
}

/** The call after its arguments were read and resolved. */
export type PreparedCall =
  | { kind: 'invalid'; message: string }
  | { kind: 'plan'; explanation: string | null; plan: PlanStep[] }
  | { kind: 'viewImage'; path: string }
  | ExecCall
  | StdinCall
  | PatchCall
  | McpCall;

export interface PolicyCheckInput {
  prepared: ExecCall | PatchCall;
  approvalPolicy: ApprovalPolicy;
  sandboxMode: SandboxMode;
  sessionGrants: string[];
  /** Where the thread runs, the shell it was configured with, and whether its project's rule files count. */
  thread: Pick<ThreadSettings, 'cwd' | 'shell' | 'projectTrusted'>;
}

/** What a call's policy check is asked, from the thread's settings. */
export const policyCheckInput = (prepared: ExecCall | PatchCall, settings: ThreadSettings, sessionGrants: string[]): PolicyCheckInput => ({
  prepared,
  approvalPolicy: settings.approvalPolicy,
  sandboxMode: settings.sandboxMode,
  sessionGrants,
  thread: { cwd: settings.cwd, shell: settings.shell, projectTrusted: settings.projectTrusted },
});

/** What the policy check decided for a call. */
export type PolicyVerdict =
  | { decision: 'run'; mode: 'sandboxed' | 'escalated' }
  | {
      decision: 'ask';
      reason: string | null;
      proposedAmendment: string[] | null;
      availableDecisions: ApprovalDecision[];
      /** Where the command runs once the user accepts. */
      modeAfterApproval: 'sandboxed' | 'escalated';
    }
  | { decision: 'refuse'; message: string };

/** Where a command runs: inside the sandbox, outside it (approved or allowed), or in a live session. */
export type RunMode = 'sandboxed' | 'escalated' | 'session';

/** How a process ended, as the exec actor reports it. */
export interface ExecOutcome {
  exitCode: number | null;
  /** The process outlived the yield time and keeps running in a session. */
  stillRunning: boolean;
  interrupted: boolean;
  /** Could not be started or crashed in our hands (not a non-zero exit). */
  failedToRun: boolean;
  /** It ran in the sandbox and failed the way a refusal looks: the output line that shows it. */
  sandboxDenial: string | null;
  processId: string | null;
  aggregatedOutput: string;
  durationMs: number;
  /** The text the model reads as the call's result. */
  modelOutput: string;
}

export type ExecEvent =
  { type: 'exec.started'; processId: string | null } | { type: 'exec.output'; chunk: string } | { type: 'exec.finished'; outcome: ExecOutcome };

export interface ExecActorInput {
  mode: RunMode;
  run: ExecRun;
}

/** How writing a patch went, as the patch actor reports it. */
export interface PatchOutcome {
  status: 'completed' | 'failed';
  /** The text the model reads as the call's result. */
  modelOutput: string;
}

/** What every call machine starts from. */
export interface CallContextInput {
  threadId: string;
  turnId: string;
  call: ToolCallRequest;
  /** The thread's settings as of this turn (cwd, shell, sandbox, approval policy). */
  settings: ThreadSettings;
  /** What the user accepted "for the session" so far in this thread. */
  sessionGrants: string[];
  clock: Clock;
}

/** What a finished call gives back to the turn. */
export interface ToolCallOutcome {
  callId: string;
  /** Items for the model's next request (the call's output, and e.g. an image). */
  items: ResponseItem[];
  /** The user chose "cancel": the turn ends interrupted. */
  cancelTurn: boolean;
  /** Keys the user accepted for the rest of the session. */
  grants: string[];
}

/** What an exec or patch call hands back to its tool call when it ends. */
export interface CallResult {
  modelOutput: string;
  cancelTurn: boolean;
  grants: string[];
  /** What the model reads instead of `modelOutput`, when the call gives more than text (an MCP tool's images). */
  items?: ResponseItem[];
}

/**
 * What a call tells the turn, as it happens: its item opened and closed (so the turn can close
 * what a crashed call left open), when it starts and stops waiting on the user, and the turn's
 * diff after its change.
 */
export type CallFact =
  | { type: 'call.itemStarted'; item: ThreadItem }
  | { type: 'call.itemCompleted'; itemId: string }
  | { type: 'call.awaitingApproval'; approvalId: string }
  | { type: 'call.approvalSettled'; approvalId: string }
  | { type: 'call.diffChanged'; diff: string };

interface TellingEnqueue {
  emit: (fact: CallFact) => void;
  sendParent: (event: CallFact) => void;
}

/**
 * Tells the tool call (and through it the turn) what happened. The fact is also emitted, so
 * a call run alone (in its tests) shows what it would have told.
 */
export const tell = (enqueue: TellingEnqueue, self: AnyActorRef, fact: CallFact): void => {
  enqueue.emit(fact);
  if (self._parent) enqueue.sendParent(fact);
};

/** Approval ids name their turn and call; the approval actor is registered under it. */
export const approvalIdFor = (turnId: string, callId: string, retry: boolean): string => `${turnId}/${callId}/${retry ? 'retry-approval' : 'approval'}`;

/** The model's output item for a call's result. */
export const outputItem = (call: ToolCallRequest, text: string): ResponseItem =>
  call.kind === 'custom'
    ? { type: 'custom_tool_call_output', call_id: call.callId, output: text }
    : { type: 'function_call_output', call_id: call.callId, output: text };

/** Whether a decision lets the call go on. */
export const isAccept = (decision: ApprovalDecision): boolean => decision === 'accept' || decision === 'acceptForSession' || typeof decision === 'object';

export const ABORTED = 'aborted: the user interrupted the turn before this call finished.';
