import { assign, enqueueActions, sendTo, setup, stopChild, type DoneActorEvent } from 'xstate';
import type { ApprovalDecision, CommandExecutionItem } from '../protocol/index.js';
import { approvalMachine, type ApprovalOutput } from './approval.machine.js';
import {
  ABORTED,
  approvalIdFor,
  isAccept,
  tell,
  type CallContextInput,
  type CallFact,
  type CallResult,
  type ExecActorInput,
  type ExecCall,
  type ExecEvent,
  type ExecOutcome,
  policyCheckInput,
  type PolicyCheckInput,
  type PolicyVerdict,
  type RunMode,
  type StdinCall,
} from './calls.js';
import {
  commandApprovalRequest,
  commandItem,
  commandOutputDelta,
  diffUpdated,
  itemCompleted,
  itemStarted,
  sandboxRetryVerdict,
  type AskVerdict,
} from './events.js';
import { publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { requestDiff, type DiffMeasured } from './turnDiff.machine.js';
import { callbackActor, promiseActor } from './unprovided.js';

export interface ExecCallInput extends CallContextInput {
  prepared: ExecCall | StdinCall;
  /** Ask the model to assess a command's risk before asking the user. */
  assessRisk: boolean;
}

export type ExecCallEvent = ExecEvent | { type: 'interrupt' } | DoneActorEvent<ApprovalOutput, 'approval'> | DiffMeasured | RelayEvent;

interface ExecCallContext extends ExecCallInput {
  verdict: PolicyVerdict | null;
  /** The question being asked: the policy's, or a re-run without the sandbox after it refused. */
  asking: AskVerdict | null;
  item: CommandExecutionItem | null;
  mode: RunMode;
  modelOutput: string;
  cancelTurn: boolean;
  grants: string[];
  /** The sandboxed run the sandbox refused, while the user is asked to run it without the sandbox. */
  deniedRun: ExecOutcome | null;
  /** How the process ended, held while the turn's diff is measured. */
  outcome: ExecOutcome | null;
  /** The command prefix the user chose to allow from now on. */
  amendment: string[] | null;
}

/** How long a killed process may take to exit before its item is completed anyway. */
const KILL_GRACE_MS = 5_000;

const REJECTED_BY_USER = 'exec_command was rejected by the user; do not run it again without asking.';
const CANCELLED_BY_USER = 'exec_command was cancelled by the user; the turn has ended.';

const approvalIdOf = (context: ExecCallContext) => approvalIdFor(context.turnId, context.call.callId, context.deniedRun !== null);

/**
 * One command the model asked for: policy check → (approval) → a run in the sandbox or
 * outside it → the turn's diff measured → item completed. Its item starts before it is
 * asked about or spawned and completes exactly once on every path. Input for a command
 * already running (write_stdin) goes straight to the process.
 */
export const execCallMachine = setup({
  types: {
    input: {} as ExecCallInput,
    output: {} as CallResult,
    context: {} as ExecCallContext,
    events: {} as ExecCallEvent,
    emitted: {} as ProtocolEmitted | CallFact,
  },
  actors: {
    checkPolicy: promiseActor<PolicyVerdict, PolicyCheckInput>('checkPolicy'),
    exec: callbackActor<ExecActorInput, { type: 'kill' }>('exec'),
    approval: approvalMachine,
    /** Stores an accepted execpolicy amendment as an allow rule. */
    amendPolicy: promiseActor<void, { prefix: string[] }>('amendPolicy'),
  },
  delays: { killGrace: KILL_GRACE_MS },
  guards: {
    isStdin: ({ context }) => context.prepared.kind === 'writeStdin',
    verdictRefuse: ({ context }) => context.verdict?.decision === 'refuse',
    verdictAsk: ({ context }) => context.verdict?.decision === 'ask',
    verdictEscalated: ({ context }) => context.verdict?.decision === 'run' && context.verdict.mode === 'escalated',
    approvalAbandoned: (_, output: ApprovalOutput) => output.abandoned,
    approvalAccepted: (_, output: ApprovalOutput) => isAccept(output.decision),
    approvalCancelled: (_, output: ApprovalOutput) => output.decision === 'cancel',
    approvalAmends: (_, output: ApprovalOutput) => typeof output.decision === 'object',
    /** A sandbox refusal the policy lets the user override: asked once, then run outside the sandbox. */
    mayRetryUnsandboxed: ({ context }, outcome: ExecOutcome) => {
      if (!outcome.sandboxDenial || context.mode !== 'sandboxed' || context.deniedRun || context.prepared.kind !== 'exec') return false;
      const policy = context.settings.approvalPolicy;
      return policy === 'on-failure' || (policy === 'on-request' && context.prepared.escalationRequested);
    },
    escalatedAfterApproval: ({ context }) =>
      context.deniedRun ? true : context.verdict?.decision === 'ask' && context.verdict.modeAfterApproval === 'escalated',
  },
  actions: {
    setVerdict: assign({
      verdict: (_, verdict: PolicyVerdict) => verdict,
      asking: (_, verdict: PolicyVerdict) => (verdict.decision === 'ask' ? verdict : null),
    }),
    setMode: assign({ mode: (_, mode: RunMode) => mode }),
    setModelOutput: assign({ modelOutput: (_, text: string) => text }),
    refusalOutput: assign({ modelOutput: ({ context }) => (context.verdict?.decision === 'refuse' ? context.verdict.message : '') }),
    rememberGrant: assign({
      grants: ({ context }, decision: ApprovalDecision) =>
        decision === 'acceptForSession' && context.prepared.kind === 'exec' ? [...context.grants, context.prepared.grantKey] : context.grants,
    }),
    rememberAmendment: assign({
      amendment: (_, decision: ApprovalDecision) => (typeof decision === 'object' ? decision.acceptWithExecpolicyAmendment.execpolicy_amendment : null),
    }),
    markCancelled: assign({ cancelTurn: true }),
    /** The command's item starts before it is asked about or spawned, so no output is ever lost. */
    startItem: enqueueActions(({ context, enqueue, self }) => {
      const at = context.clock.nowMs();
      const item = commandItem(context.call.callId, context.prepared.view, context.prepared.kind === 'writeStdin', at);
      enqueue.assign({ item });
      tell(enqueue, self, { type: 'call.itemStarted', item });
      publish(enqueue, self, itemStarted(context, item, at));
    }),
    /** The thread waits on the user from the moment asking is decided until the answer is acted on. */
    announceWait: enqueueActions(({ context, enqueue, self }) => {
      if (context.asking) tell(enqueue, self, { type: 'call.awaitingApproval', approvalId: approvalIdOf(context) });
    }),
    ask: enqueueActions(({ context, enqueue }) => {
      const approvalId = approvalIdOf(context);
      const request = commandApprovalRequest(
        { ref: context, itemId: context.call.callId, startedAtMs: context.item?.startedAtMs ?? context.clock.nowMs() },
        context.prepared.view,
        context.asking,
        context.prepared.kind === 'exec' ? context.prepared.justification : null,
      );
      // Registered under its approval id, so the client's decision reaches it directly.
      enqueue.spawnChild('approval', {
        id: 'approval',
        systemId: approvalId,
        input: { threadId: context.threadId, approvalId, request, assessWith: context.assessRisk ? context.settings : null },
      });
    }),
    settleWait: enqueueActions(({ context, enqueue, self }) => tell(enqueue, self, { type: 'call.approvalSettled', approvalId: approvalIdOf(context) })),
    recordProcess: assign({
      item: ({ context, event }) => (context.item && event.type === 'exec.started' ? { ...context.item, processId: event.processId } : context.item),
    }),
    publishOutput: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type === 'exec.output' && context.item) publish(enqueue, self, commandOutputDelta(context, context.item.id, event.chunk));
    }),
    holdOutcome: assign({ outcome: (_, outcome: ExecOutcome) => outcome }),
    measureDiff: enqueueActions(({ context, enqueue, self, system }) => requestDiff(enqueue, self, system, context.turnId)),
    /** The item completes with how the process ended; the turn's diff follows when the command changed it. */
    completeFromOutcome: enqueueActions(({ context, enqueue, self }, diff: string | null) => {
      const { outcome, item: open } = context;
      if (!outcome || !open) return;
      const failed = outcome.interrupted || outcome.failedToRun || (!outcome.stillRunning && outcome.exitCode !== 0);
      const at = context.clock.nowMs();
      const item: CommandExecutionItem = {
        ...open,
        processId: outcome.processId ?? open.processId,
        status: failed ? 'failed' : 'completed',
        aggregatedOutput: outcome.aggregatedOutput,
        exitCode: outcome.exitCode,
        durationMs: outcome.durationMs,
        completedAtMs: at,
      };
      enqueue.assign({ item, modelOutput: outcome.modelOutput });
      tell(enqueue, self, { type: 'call.itemCompleted', itemId: item.id });
      publish(enqueue, self, itemCompleted(context, item, at));
      if (diff !== null) {
        tell(enqueue, self, { type: 'call.diffChanged', diff });
        publish(enqueue, self, diffUpdated(context, diff));
      }
    }),
    recordDeniedRun: assign({
      deniedRun: (_, outcome: ExecOutcome) => outcome,
      asking: (_, outcome: ExecOutcome) => sandboxRetryVerdict(outcome.sandboxDenial),
    }),
    /** After a refused retry the model learns what the sandboxed run printed, and why it was not run again. */
    deniedRunOutput: assign({
      modelOutput: ({ context }) =>
        context.deniedRun
          ? `${context.deniedRun.modelOutput}\n(The sandbox blocked this command, and the user chose not to run it without the sandbox.)`
          : context.modelOutput,
    }),
    /** Completes the item without a run of its own: declined, or failed with the output of a refused sandboxed run. */
    completeItem: enqueueActions(({ context, enqueue, self }, status: 'declined' | 'failed') => {
      if (!context.item) return;
      const at = context.clock.nowMs();
      const denied = context.deniedRun;
      const item: CommandExecutionItem = denied
        ? {
            ...context.item,
            status: 'failed',
            aggregatedOutput: denied.aggregatedOutput,
            exitCode: denied.exitCode,
            durationMs: denied.durationMs,
            completedAtMs: at,
          }
        : { ...context.item, status, completedAtMs: at };
      enqueue.assign({ item });
      tell(enqueue, self, { type: 'call.itemCompleted', itemId: item.id });
      publish(enqueue, self, itemCompleted(context, item, at));
    }),
    forward: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, ...event.events);
    }),
  },
}).createMachine({
  id: 'execCall',
  context: ({ input }) => ({
    ...input,
    verdict: null,
    asking: null,
    item: null,
    mode: 'sandboxed',
    modelOutput: '',
    cancelTurn: false,
    grants: [],
    deniedRun: null,
    outcome: null,
    amendment: null,
  }),
  on: { relay: { actions: 'forward' } },
  initial: 'starting',
  states: {
    starting: {
      always: [{ guard: 'isStdin', target: 'running.session', actions: ['startItem', { type: 'setMode', params: 'session' }] }, { target: 'policyCheck' }],
    },
    /** Decide whether the command runs in the sandbox, outside it, only after asking, or not at all. */
    policyCheck: {
      invoke: {
        id: 'checkPolicy',
        src: 'checkPolicy',
        input: ({ context }) => policyCheckInput(context.prepared as ExecCall, context.settings, context.sessionGrants),
        onDone: { target: 'deciding', actions: { type: 'setVerdict', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `policy check failed: ${String(event.error)}` } },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    deciding: {
      // The wait on the user is announced before the item starts, as the reference orders them.
      entry: ['announceWait', 'startItem'],
      always: [
        { guard: 'verdictRefuse', target: 'done', actions: [{ type: 'completeItem', params: 'declined' }, 'refusalOutput'] },
        { guard: 'verdictAsk', target: 'awaitingApproval' },
        { guard: 'verdictEscalated', target: 'running.escalated', actions: { type: 'setMode', params: 'escalated' } },
        { target: 'running.sandboxed', actions: { type: 'setMode', params: 'sandboxed' } },
      ],
    },
    /** The user is asked; the approval actor publishes the request and its resolution. */
    awaitingApproval: {
      entry: 'ask',
      exit: stopChild('approval'),
      on: {
        interrupt: { actions: sendTo('approval', { type: 'abandon' }) },
        'xstate.done.actor.approval': [
          {
            guard: { type: 'approvalAbandoned', params: ({ event }) => event.output },
            target: 'done',
            actions: [{ type: 'completeItem', params: 'declined' }, { type: 'setModelOutput', params: ABORTED }, 'settleWait'],
          },
          {
            guard: { type: 'approvalAmends', params: ({ event }) => event.output },
            target: 'amending',
            actions: ['settleWait', { type: 'rememberAmendment', params: ({ event }) => event.output.decision }],
          },
          {
            guard: { type: 'approvalAccepted', params: ({ event }) => event.output },
            target: 'approved',
            actions: ['settleWait', { type: 'rememberGrant', params: ({ event }) => event.output.decision }],
          },
          {
            guard: { type: 'approvalCancelled', params: ({ event }) => event.output },
            target: 'done',
            actions: [{ type: 'completeItem', params: 'declined' }, { type: 'setModelOutput', params: CANCELLED_BY_USER }, 'markCancelled', 'settleWait'],
          },
          {
            target: 'done',
            actions: [{ type: 'completeItem', params: 'declined' }, { type: 'setModelOutput', params: REJECTED_BY_USER }, 'deniedRunOutput', 'settleWait'],
          },
        ],
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
      on: {
        interrupt: {
          target: 'done',
          actions: [
            { type: 'completeItem', params: 'declined' },
            { type: 'setModelOutput', params: ABORTED },
          ],
        },
      },
    },
    approved: {
      always: [
        { guard: 'escalatedAfterApproval', target: 'running.escalated', actions: { type: 'setMode', params: 'escalated' } },
        { target: 'running.sandboxed', actions: { type: 'setMode', params: 'sandboxed' } },
      ],
    },
    /** The process runs; its output streams as deltas until it exits, yields, or is killed. */
    running: {
      invoke: {
        id: 'exec',
        src: 'exec',
        input: ({ context }) => ({ mode: context.mode, run: context.prepared.run }),
      },
      on: {
        'exec.started': { actions: 'recordProcess' },
        'exec.output': { actions: 'publishOutput' },
        'exec.finished': [
          {
            guard: { type: 'mayRetryUnsandboxed', params: ({ event }) => event.outcome },
            target: 'awaitingApproval',
            actions: [{ type: 'recordDeniedRun', params: ({ event }) => event.outcome }, 'announceWait'],
          },
          { target: 'measuring', actions: { type: 'holdOutcome', params: ({ event }) => event.outcome } },
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
              target: '#execCall.done',
              actions: [
                { type: 'completeItem', params: 'failed' },
                { type: 'setModelOutput', params: ABORTED },
              ],
            },
          },
        },
      },
    },
    /** What the command changed joins the turn's diff before its item completes. */
    measuring: {
      entry: 'measureDiff',
      on: { 'diff.measured': { target: 'done', actions: { type: 'completeFromOutcome', params: ({ event }) => event.diff } } },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ modelOutput: context.modelOutput, cancelTurn: context.cancelTurn, grants: context.grants }),
});
