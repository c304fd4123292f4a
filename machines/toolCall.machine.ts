import { assign, enqueueActions, sendTo, setup } from 'xstate';
import type {
  ApprovalDecision,
  ApprovalPolicy,
  CommandAction,
  CommandExecutionItem,
  FileChangeItem,
  FileUpdateChange,
  PlanStep,
  ResponseItem,
  SandboxMode,
  ThreadSettings,
} from '../protocol/index.js';
import { PlainApprovalDecision } from '../protocol/index.js';
import { approvalMachine, type ApprovalOutput } from './approval.machine.js';
import { nowMs, publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { callbackActor, promiseActor } from './unprovided.js';

/** A call the model made, as the turn hands it over. */
export interface ToolCallRequest {
  callId: string;
  name: string;
  /** function tools get JSON arguments, custom (freeform) tools get raw input. */
  kind: 'function' | 'custom';
  payload: string;
}

export interface ToolCallInput {
  threadId: string;
  turnId: string;
  call: ToolCallRequest;
  /** The thread's settings as of this turn (cwd, shell, sandbox, approval policy). */
  settings: ThreadSettings;
  /** Ask the model to assess a command's risk before asking the user. */
  assessRisk: boolean;
  /** What the user accepted "for the session" so far in this thread. */
  sessionGrants: string[];
}

/** How a command is shown to the client. */
export interface CommandView {
  command: string;
  cwd: string;
  commandActions: CommandAction[];
}

/** Where a command runs: inside the sandbox, outside it (approved or allowed), or in a live session. */
export type RunMode = 'sandboxed' | 'escalated' | 'session';

/** The call after its arguments were read and resolved; `run` is opaque to the machine. */
export type PreparedCall =
  | { kind: 'invalid'; message: string }
  | { kind: 'plan'; explanation: string | null; plan: PlanStep[] }
  | { kind: 'viewImage'; path: string }
  | {
      kind: 'exec';
      view: CommandView;
      run: unknown;
      escalationRequested: boolean;
      justification: string | null;
      /** The key under which "accept for session" remembers this command. */
      grantKey: string;
    }
  | { kind: 'writeStdin'; view: CommandView; run: unknown }
  | {
      kind: 'patch';
      /** What the patch changes, as the item shows it before anything is written. */
      changes: FileUpdateChange[];
      /** The planned writes, opaque to the machine. */
      run: unknown;
      /** The directory "accept for session" would open to patches, when there is one. */
      grantRoot: string | null;
      grantKey: string;
    };

/** How applying a patch went, as the patch actor reports it. */
export interface PatchOutcome {
  status: 'completed' | 'failed';
  /** The text the model reads as the call's result. */
  modelOutput: string;
  /** The unified diff of everything the turn changed so far, when it changed anything. */
  turnDiff: string | null;
}

export interface PolicyCheckInput {
  prepared: PreparedCall;
  approvalPolicy: ApprovalPolicy;
  sandboxMode: SandboxMode;
  sessionGrants: string[];
}

/** What the exec-policy check decided for a command. */
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

/** How a process ended, as the exec actor reports it. */
export interface ExecOutcome {
  exitCode: number | null;
  /** The process outlived the yield time and keeps running in a session. */
  stillRunning: boolean;
  interrupted: boolean;
  /** Could not be started or crashed in our hands (not a non-zero exit). */
  failedToRun: boolean;
  /** It ran in the sandbox and failed the way a refusal looks: the output line that shows it (read-only file system, no network, ...). */
  sandboxDenial: string | null;
  processId: string | null;
  aggregatedOutput: string;
  durationMs: number;
  /** The text the model reads as the call's result. */
  modelOutput: string;
  /** The turn's diff when this command changed it. */
  turnDiff?: string | null;
}

export type ExecEvent =
  | { type: 'exec.started'; processId: string | null }
  | { type: 'exec.output'; chunk: string }
  | { type: 'exec.finished'; outcome: ExecOutcome };

export interface ExecActorInput {
  mode: RunMode;
  run: unknown;
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

export type ToolCallEvent =
  | ExecEvent
  | { type: 'interrupt' }
  | { type: 'approval.decide'; approvalId: string; decision: ApprovalDecision }
  | RelayEvent;

interface ToolCallContext extends ToolCallInput {
  prepared: PreparedCall | null;
  verdict: PolicyVerdict | null;
  item: CommandExecutionItem | null;
  /** The fileChange item of a patch call. */
  fileItem: FileChangeItem | null;
  mode: RunMode;
  modelOutput: string;
  extraItems: ResponseItem[];
  cancelTurn: boolean;
  grants: string[];
  /** The sandboxed run the sandbox refused, while the user is asked to run it without the sandbox. */
  deniedRun: ExecOutcome | null;
  /** The command prefix the user chose to allow from now on. */
  amendment: string[] | null;
}

/** How long a killed process may take to exit before its item is completed anyway. */
export const KILL_GRACE_MS = 5_000;

const REJECTED_BY_USER = 'exec_command was rejected by the user; do not run it again without asking.';
const CANCELLED_BY_USER = 'exec_command was cancelled by the user; the turn has ended.';
const ABORTED = 'aborted: the user interrupted the turn before this call finished.';
const PATCH_REJECTED = 'patch rejected by user';

const execView = (prepared: PreparedCall | null): CommandView | null =>
  prepared && (prepared.kind === 'exec' || prepared.kind === 'writeStdin') ? prepared.view : null;

/** Approval ids name their turn and call, so a decision can be routed down the actor tree. */
export const approvalIdOf = (context: Pick<ToolCallContext, 'turnId' | 'call'> & { deniedRun?: ExecOutcome | null }) =>
  `${context.turnId}/${context.call.callId}/${context.deniedRun ? 'retry-approval' : 'approval'}`;


const isAccept = (decision: ApprovalDecision) =>
  decision === 'accept' || decision === 'acceptForSession' || typeof decision === 'object';

const outputItem = (call: ToolCallRequest, text: string): ResponseItem =>
  call.kind === 'custom'
    ? { type: 'custom_tool_call_output', call_id: call.callId, output: text }
    : { type: 'function_call_output', call_id: call.callId, output: text };

/**
 * One tool call from the model: prepare → policy check → (approval) → sandboxed or
 * escalated run → completed | failed | declined | interrupted. A command's item is
 * started before anything runs or is asked, and completed exactly once on every path.
 */
export const toolCallMachine = setup({
  types: {
    input: {} as ToolCallInput,
    output: {} as ToolCallOutcome,
    context: {} as ToolCallContext,
    events: {} as ToolCallEvent,
    emitted: {} as ProtocolEmitted,
  },
  actors: {
    prepareCall: promiseActor<PreparedCall, { call: ToolCallRequest; settings: ThreadSettings }>('prepareCall'),
    checkPolicy: promiseActor<PolicyVerdict, PolicyCheckInput>('checkPolicy'),
    viewImage: promiseActor<ResponseItem[], { call: ToolCallRequest; path: string }>('viewImage'),
    exec: callbackActor<ExecActorInput, { type: 'kill' }>('exec'),
    approval: approvalMachine,
    /** Stores an accepted execpolicy amendment as an allow rule. */
    amendPolicy: promiseActor<void, { prefix: string[] }>('amendPolicy'),
    /** Writes a planned patch, all files or none. */
    applyPatch: promiseActor<PatchOutcome, { threadId: string; turnId: string; run: unknown }>('applyPatch'),
  },
  delays: { killGrace: KILL_GRACE_MS },
  guards: {
    isInvalid: ({ context }) => context.prepared?.kind === 'invalid',
    isPlan: ({ context }) => context.prepared?.kind === 'plan',
    isViewImage: ({ context }) => context.prepared?.kind === 'viewImage',
    isExec: ({ context }) => context.prepared?.kind === 'exec',
    isWriteStdin: ({ context }) => context.prepared?.kind === 'writeStdin',
    isPatch: ({ context }) => context.prepared?.kind === 'patch',
    verdictRefuse: ({ context }) => context.verdict?.decision === 'refuse',
    verdictAsk: ({ context }) => context.verdict?.decision === 'ask',
    verdictEscalated: ({ context }) => context.verdict?.decision === 'run' && context.verdict.mode === 'escalated',
    approvalAbandoned: (_, output: ApprovalOutput) => output.abandoned,
    approvalAccepted: (_, output: ApprovalOutput) => isAccept(output.decision),
    approvalCancelled: (_, output: ApprovalOutput) => output.decision === 'cancel',
    approvalAmends: (_, output: ApprovalOutput) => typeof output.decision === 'object',
    /** A sandbox refusal the policy lets the user override: asked once, then run outside the sandbox. */
    mayRetryUnsandboxed: ({ context, event }) => {
      if (event.type !== 'exec.finished' || !event.outcome.sandboxDenial || context.mode !== 'sandboxed' || context.deniedRun) return false;
      if (context.prepared?.kind !== 'exec') return false;
      const policy = context.settings.approvalPolicy;
      return policy === 'on-failure' || (policy === 'on-request' && context.prepared.escalationRequested);
    },
    isOwnApproval: ({ context, event }) => event.type === 'approval.decide' && event.approvalId === approvalIdOf(context),
    acceptedEscalated: ({ context }) =>
      context.verdict?.decision === 'ask' && context.verdict.modeAfterApproval === 'escalated',
  },
  actions: {
    setPrepared: assign({ prepared: (_, prepared: PreparedCall) => prepared }),
    setVerdict: assign({ verdict: (_, verdict: PolicyVerdict) => verdict }),
    setMode: assign({ mode: (_, mode: RunMode) => mode }),
    setModelOutput: assign({ modelOutput: (_, text: string) => text }),
    setExtraItems: assign({ extraItems: (_, items: ResponseItem[]) => items }),
    invalidOutput: assign({
      modelOutput: ({ context }) => (context.prepared?.kind === 'invalid' ? context.prepared.message : ''),
    }),
    refusalOutput: assign({
      modelOutput: ({ context }) => (context.verdict?.decision === 'refuse' ? context.verdict.message : ''),
    }),
    rememberGrant: assign({
      grants: ({ context }, decision: ApprovalDecision) =>
        decision === 'acceptForSession' && (context.prepared?.kind === 'exec' || context.prepared?.kind === 'patch')
          ? [...context.grants, context.prepared.grantKey]
          : context.grants,
    }),
    markCancelled: assign({ cancelTurn: true }),
    rejectedPatchOutput: assign({ modelOutput: ({ context }) => (context.prepared?.kind === 'patch' ? PATCH_REJECTED : context.modelOutput) }),
    rememberAmendment: assign({
      amendment: (_, decision: ApprovalDecision) => (typeof decision === 'object' ? decision.acceptWithExecpolicyAmendment.execpolicy_amendment : null),
    }),
    republish: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, event.event);
    }),
    publishPlan: enqueueActions(({ context, enqueue, self }) => {
      if (context.prepared?.kind !== 'plan') return;
      publish(enqueue, self, {
        method: 'turn/plan/updated',
        params: {
          threadId: context.threadId,
          turnId: context.turnId,
          explanation: context.prepared.explanation,
          plan: context.prepared.plan,
        },
      });
    }),
    /** The command's item starts before it is asked about or spawned, so no output is ever lost. */
    /**
     * The thread waits on the user from the moment asking is decided until the answer is
     * acted on; the turn folds these signals of parallel calls into the thread's status.
     */
    announceApproval: enqueueActions(({ context, enqueue, self }, kind: 'exec' | 'patch') => {
      if (context.verdict?.decision !== 'ask' || context.prepared?.kind !== kind) return;
      publish(enqueue, self, {
        method: 'thread/status/changed',
        params: { threadId: context.threadId, status: { type: 'active', activeFlags: ['waitingOnApproval'] } },
      });
    }),
    approvalSettled: enqueueActions(({ context, enqueue, self }) => {
      publish(enqueue, self, { method: 'thread/status/changed', params: { threadId: context.threadId, status: { type: 'active', activeFlags: [] } } });
    }),
    /** A patch's item shows every change before anything is written. */
    startFileItem: enqueueActions(({ context, enqueue, self }) => {
      if (context.prepared?.kind !== 'patch') return;
      const startedAtMs = nowMs();
      const fileItem: FileChangeItem = {
        type: 'fileChange',
        id: context.call.callId,
        changes: context.prepared.changes,
        status: 'inProgress',
        startedAtMs,
        completedAtMs: null,
      };
      enqueue.assign({ fileItem });
      publish(enqueue, self, { method: 'item/started', params: { item: fileItem, threadId: context.threadId, turnId: context.turnId, startedAtMs } });
    }),
    completePatch: enqueueActions(({ context, enqueue, self }, outcome: PatchOutcome) => {
      if (!context.fileItem) return;
      const completedAtMs = nowMs();
      const fileItem: FileChangeItem = { ...context.fileItem, status: outcome.status, completedAtMs };
      enqueue.assign({ fileItem, modelOutput: outcome.modelOutput });
      publish(enqueue, self, {
        method: 'item/completed',
        params: { item: fileItem, threadId: context.threadId, turnId: context.turnId, contentTokenCount: null, completedAtMs },
      });
      if (outcome.turnDiff !== null) {
        publish(enqueue, self, { method: 'turn/diff/updated', params: { threadId: context.threadId, turnId: context.turnId, diff: outcome.turnDiff } });
      }
    }),
    startItem: enqueueActions(({ context, enqueue, self }) => {
      const view = execView(context.prepared);
      if (!view) return;
      const startedAtMs = nowMs();
      const item: CommandExecutionItem = {
        type: 'commandExecution',
        id: context.call.callId,
        pluginId: null,
        scriptPath: null,
        command: view.command,
        cwd: view.cwd,
        processId: null,
        source: context.prepared?.kind === 'writeStdin' ? 'unifiedExecInteraction' : 'unifiedExecStartup',
        status: 'inProgress',
        commandActions: view.commandActions,
        aggregatedOutput: null,
        exitCode: null,
        durationMs: null,
        startedAtMs,
        completedAtMs: null,
      };
      enqueue.assign({ item });
      publish(enqueue, self, {
        method: 'item/started',
        params: { item, threadId: context.threadId, turnId: context.turnId, startedAtMs },
      });
    }),
    recordProcess: assign({
      item: ({ context, event }) =>
        context.item && event.type === 'exec.started' ? { ...context.item, processId: event.processId } : context.item,
    }),
    publishOutput: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'exec.output' || !context.item) return;
      publish(enqueue, self, {
        method: 'item/commandExecution/outputDelta',
        params: { threadId: context.threadId, turnId: context.turnId, itemId: context.item.id, delta: event.chunk },
      });
    }),
    completeFromOutcome: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'exec.finished' || !context.item) return;
      const { outcome } = event;
      const failed = outcome.interrupted || outcome.failedToRun || (!outcome.stillRunning && outcome.exitCode !== 0);
      const completedAtMs = nowMs();
      const item: CommandExecutionItem = {
        ...context.item,
        processId: outcome.processId ?? context.item.processId,
        status: failed ? 'failed' : 'completed',
        aggregatedOutput: outcome.aggregatedOutput,
        exitCode: outcome.exitCode,
        durationMs: outcome.durationMs,
        completedAtMs,
      };
      enqueue.assign({ item, modelOutput: outcome.modelOutput });
      publish(enqueue, self, {
        method: 'item/completed',
        params: { item, threadId: context.threadId, turnId: context.turnId, contentTokenCount: null, completedAtMs },
      });
      if (outcome.turnDiff) {
        publish(enqueue, self, { method: 'turn/diff/updated', params: { threadId: context.threadId, turnId: context.turnId, diff: outcome.turnDiff } });
      }
    }),
    recordDeniedRun: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'exec.finished') return;
      const denial = event.outcome.sandboxDenial;
      enqueue.assign({
        deniedRun: event.outcome,
        verdict: {
          decision: 'ask',
          reason: `The sandbox blocked this command${denial ? ` (${denial})` : ''}. Run it again without the sandbox?`,
          proposedAmendment: null,
          availableDecisions: [...PlainApprovalDecision.options],
          modeAfterApproval: 'escalated',
        },
      });
    }),
    /** After a refused retry the model learns what the sandboxed run printed, and why it was not run again. */
    deniedRunOutput: assign({
      modelOutput: ({ context }) =>
        context.deniedRun ? `${context.deniedRun.modelOutput}\n(The sandbox blocked this command, and the user chose not to run it without the sandbox.)` : context.modelOutput,
    }),
    /** Completes the item without a run of its own: declined, or failed with the output of a refused sandboxed run. */
    completeItem: enqueueActions(({ context, enqueue, self }, status: 'declined' | 'failed') => {
      if (context.fileItem) {
        const completedAtMs = nowMs();
        const fileItem: FileChangeItem = { ...context.fileItem, status, completedAtMs };
        enqueue.assign({ fileItem });
        publish(enqueue, self, {
          method: 'item/completed',
          params: { item: fileItem, threadId: context.threadId, turnId: context.turnId, contentTokenCount: null, completedAtMs },
        });
        return;
      }
      if (!context.item) return;
      const completedAtMs = nowMs();
      const denied = context.deniedRun;
      const item: CommandExecutionItem = denied
        ? { ...context.item, status: 'failed', aggregatedOutput: denied.aggregatedOutput, exitCode: denied.exitCode, durationMs: denied.durationMs, completedAtMs }
        : { ...context.item, status, completedAtMs };
      enqueue.assign({ item });
      publish(enqueue, self, {
        method: 'item/completed',
        params: { item, threadId: context.threadId, turnId: context.turnId, contentTokenCount: null, completedAtMs },
      });
    }),
  },
}).createMachine({
  id: 'toolCall',
  context: ({ input }) => ({
    ...input,
    prepared: null,
    verdict: null,
    item: null,
    mode: 'sandboxed',
    modelOutput: '',
    extraItems: [],
    cancelTurn: false,
    grants: [],
    deniedRun: null,
    amendment: null,
    fileItem: null,
  }),
  on: { relay: { actions: 'republish' } },
  initial: 'preparing',
  states: {
    /** Read the arguments and resolve what the call means. */
    preparing: {
      invoke: {
        id: 'prepareCall',
        src: 'prepareCall',
        input: ({ context }) => ({ call: context.call, settings: context.settings }),
        onDone: { target: 'routing', actions: { type: 'setPrepared', params: ({ event }) => event.output } },
        onError: {
          target: 'done',
          actions: { type: 'setModelOutput', params: ({ event }) => `failed to prepare the call: ${String(event.error)}` },
        },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    routing: {
      always: [
        { guard: 'isInvalid', target: 'done', actions: 'invalidOutput' },
        { guard: 'isPlan', target: 'done', actions: ['publishPlan', { type: 'setModelOutput', params: 'Plan updated' }] },
        { guard: 'isViewImage', target: 'viewingImage' },
        { guard: 'isWriteStdin', target: 'running.session', actions: ['startItem', { type: 'setMode', params: 'session' }] },
        { guard: 'isExec', target: 'policyCheck' },
        { guard: 'isPatch', target: 'policyCheck' },
        { target: 'done', actions: { type: 'setModelOutput', params: 'unsupported call' } },
      ],
    },
    viewingImage: {
      invoke: {
        id: 'viewImage',
        src: 'viewImage',
        input: ({ context }) => ({
          call: context.call,
          path: context.prepared?.kind === 'viewImage' ? context.prepared.path : '',
        }),
        onDone: { target: 'done', actions: { type: 'setExtraItems', params: ({ event }) => event.output } },
        onError: {
          target: 'done',
          actions: { type: 'setModelOutput', params: ({ event }) => `view_image failed: ${String(event.error)}` },
        },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    /** Decide whether the command runs in the sandbox, outside it, only after asking, or not at all. */
    policyCheck: {
      invoke: {
        id: 'checkPolicy',
        src: 'checkPolicy',
        input: ({ context }) => ({
          prepared: context.prepared!,
          approvalPolicy: context.settings.approvalPolicy,
          sandboxMode: context.settings.sandboxMode,
          sessionGrants: context.sessionGrants,
        }),
        onDone: { target: 'deciding', actions: { type: 'setVerdict', params: ({ event }) => event.output } },
        onError: {
          target: 'done',
          actions: { type: 'setModelOutput', params: ({ event }) => `policy check failed: ${String(event.error)}` },
        },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    deciding: {
      entry: [
        { type: 'announceApproval', params: 'exec' },
        'startItem',
        'startFileItem',
        { type: 'announceApproval', params: 'patch' },
      ],
      always: [
        {
          guard: 'verdictRefuse',
          target: 'done',
          actions: [{ type: 'completeItem', params: 'declined' }, 'refusalOutput'],
        },
        { guard: 'verdictAsk', target: 'awaitingApproval' },
        { guard: 'isPatch', target: 'applying' },
        { guard: 'verdictEscalated', target: 'running.escalated', actions: { type: 'setMode', params: 'escalated' } },
        { target: 'running.sandboxed', actions: { type: 'setMode', params: 'sandboxed' } },
      ],
    },
    /** The user is asked; the approval actor publishes the request and its resolution. */
    awaitingApproval: {
      invoke: {
        id: 'approval',
        src: 'approval',
        input: ({ context }) => {
          const verdict = context.verdict?.decision === 'ask' ? context.verdict : null;
          if (context.prepared?.kind === 'patch') {
            return {
              threadId: context.threadId,
              approvalId: approvalIdOf(context),
              assessRisk: false,
              request: {
                method: 'item/fileChange/requestApproval' as const,
                params: {
                  threadId: context.threadId,
                  turnId: context.turnId,
                  itemId: context.call.callId,
                  startedAtMs: context.fileItem?.startedAtMs ?? nowMs(),
                  reason: verdict?.reason ?? null,
                  grantRoot: context.prepared.grantRoot,
                },
              },
            };
          }
          const view = execView(context.prepared)!;
          return {
            threadId: context.threadId,
            approvalId: approvalIdOf(context),
            assessRisk: context.assessRisk,
            request: {
              method: 'item/commandExecution/requestApproval' as const,
              params: {
                kind: 'command' as const,
                threadId: context.threadId,
                turnId: context.turnId,
                itemId: context.call.callId,
                startedAtMs: context.item?.startedAtMs ?? nowMs(),
                environmentId: 'local',
                reason:
                  verdict?.reason ?? (context.prepared?.kind === 'exec' ? context.prepared.justification : null),
                command: view.command,
                cwd: view.cwd,
                commandActions: view.commandActions,
                proposedExecpolicyAmendment: verdict?.proposedAmendment ?? null,
                availableDecisions: verdict?.availableDecisions ?? ['accept', 'decline', 'cancel'],
                risk: null,
              },
            },
          };
        },
        onDone: [
          {
            guard: { type: 'approvalAbandoned', params: ({ event }) => event.output },
            target: 'done',
            actions: [{ type: 'completeItem', params: 'declined' }, { type: 'setModelOutput', params: ABORTED }, 'approvalSettled'],
          },
          {
            guard: { type: 'approvalAmends', params: ({ event }) => event.output },
            target: 'amending',
            actions: ['approvalSettled', { type: 'rememberAmendment', params: ({ event }) => event.output.decision }],
          },
          {
            guard: { type: 'approvalAccepted', params: ({ event }) => event.output },
            target: 'approved',
            actions: ['approvalSettled', { type: 'rememberGrant', params: ({ event }) => event.output.decision }],
          },
          {
            guard: { type: 'approvalCancelled', params: ({ event }) => event.output },
            target: 'done',
            actions: [
              { type: 'completeItem', params: 'declined' },
              { type: 'setModelOutput', params: CANCELLED_BY_USER },
              'markCancelled',
              'approvalSettled',
            ],
          },
          {
            target: 'done',
            actions: [
              { type: 'completeItem', params: 'declined' },
              { type: 'setModelOutput', params: REJECTED_BY_USER },
              'rejectedPatchOutput',
              'deniedRunOutput',
              'approvalSettled',
            ],
          },
        ],
      },
      on: {
        interrupt: { actions: sendTo('approval', { type: 'abandon' }) },
        'approval.decide': {
          guard: 'isOwnApproval',
          actions: sendTo('approval', ({ event }) => ({
            type: 'decide' as const,
            decision: event.type === 'approval.decide' ? event.decision : ('decline' as const),
          })),
        },
      },
    },
    /** The accepted prefix becomes an allow rule before the command runs; a failure to store it does not undo the acceptance. */
    amending: {
      invoke: {
        id: 'amendPolicy',
        src: 'amendPolicy',
        input: ({ context }) => ({ prefix: context.amendment ?? [] }),
        onDone: 'approved',
        onError: 'approved',
      },
      on: { interrupt: { target: 'done', actions: [{ type: 'completeItem', params: 'declined' }, { type: 'setModelOutput', params: ABORTED }] } },
    },
    /** The patch is written, every file or none; it is quick, so an interrupt waits for it. */
    applying: {
      invoke: {
        id: 'applyPatch',
        src: 'applyPatch',
        input: ({ context }) => ({ threadId: context.threadId, turnId: context.turnId, run: context.prepared?.kind === 'patch' ? context.prepared.run : null }),
        onDone: { target: 'done', actions: { type: 'completePatch', params: ({ event }) => event.output } },
        onError: {
          target: 'done',
          actions: { type: 'completePatch', params: ({ event }) => ({ status: 'failed' as const, modelOutput: `apply_patch failed: ${String(event.error)}`, turnDiff: null }) },
        },
      },
    },
    approved: {
      always: [
        { guard: 'isPatch', target: 'applying' },
        { guard: 'acceptedEscalated', target: 'running.escalated', actions: { type: 'setMode', params: 'escalated' } },
        { target: 'running.sandboxed', actions: { type: 'setMode', params: 'sandboxed' } },
      ],
    },
    /** The process runs; its output streams as deltas until it exits, yields, or is killed. */
    running: {
      invoke: {
        id: 'exec',
        src: 'exec',
        input: ({ context }) => ({
          mode: context.mode,
          run: context.prepared?.kind === 'exec' || context.prepared?.kind === 'writeStdin' ? context.prepared.run : null,
        }),
      },
      on: {
        'exec.started': { actions: 'recordProcess' },
        'exec.output': { actions: 'publishOutput' },
        'exec.finished': [
          { guard: 'mayRetryUnsandboxed', target: 'awaitingApproval', actions: ['recordDeniedRun', { type: 'announceApproval', params: 'exec' }] },
          { target: 'done', actions: 'completeFromOutcome' },
        ],
      },
      initial: 'sandboxed',
      states: {
        sandboxed: { on: { interrupt: 'stopping' } },
        escalated: { on: { interrupt: 'stopping' } },
        session: { on: { interrupt: 'stopping' } },
        /** Asked the process group to die; its exit completes the item, or the grace period does. */
        stopping: {
          entry: sendTo('exec', { type: 'kill' }),
          after: {
            killGrace: {
              target: '#toolCall.done',
              actions: [{ type: 'completeItem', params: 'failed' }, { type: 'setModelOutput', params: ABORTED }],
            },
          },
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({
    callId: context.call.callId,
    items: context.extraItems.length > 0 ? context.extraItems : [outputItem(context.call, context.modelOutput)],
    cancelTurn: context.cancelTurn,
    grants: context.grants,
  }),
});
