import { assign, enqueueActions, sendTo, setup, stopChild, type AnyActorRef, type DoneActorEvent } from 'xstate';
import type { ApprovalDecision, FileChangeItem, PatchRun } from '../protocol/index.js';
import { approvalMachine, type ApprovalOutput } from './approval.machine.js';
import {
  ABORTED,
  approvalIdFor,
  isAccept,
  tell,
  type CallContextInput,
  type CallFact,
  type CallResult,
  type PatchCall,
  type PatchOutcome,
  policyCheckInput,
  type PolicyCheckInput,
  type PolicyVerdict,
} from './calls.js';
import { diffUpdated, fileChangeItem, itemCompleted, itemStarted, patchApprovalRequest } from './events.js';
import { publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { requestDiff, turnDiffId, type DiffMeasured, type TurnDiffEvent } from './turnDiff.machine.js';
import { promiseActor } from './unprovided.js';

export interface PatchCallInput extends CallContextInput {
  prepared: PatchCall;
}

export type PatchCallEvent = { type: 'interrupt' } | DoneActorEvent<ApprovalOutput, 'approval'> | DiffMeasured | RelayEvent;

interface PatchCallContext extends PatchCallInput {
  verdict: PolicyVerdict | null;
  item: FileChangeItem | null;
  outcome: PatchOutcome | null;
  modelOutput: string;
  cancelTurn: boolean;
  grants: string[];
}

const PATCH_REJECTED = 'patch rejected by user';
const CANCELLED_BY_USER = 'apply_patch was cancelled by the user; the turn has ended.';

const approvalIdOf = (context: PatchCallContext) => approvalIdFor(context.turnId, context.call.callId, false);

/**
 * One patch from the model: policy check → (approval) → written, every file or none → the
 * turn's diff measured → item completed. Its item shows every change before anything is
 * asked or written, and completes exactly once on every path.
 */
export const patchCallMachine = setup({
  types: {
    input: {} as PatchCallInput,
    output: {} as CallResult,
    context: {} as PatchCallContext,
    events: {} as PatchCallEvent,
    emitted: {} as ProtocolEmitted | CallFact,
  },
  actors: {
    checkPolicy: promiseActor<PolicyVerdict, PolicyCheckInput>('checkPolicy'),
    approval: approvalMachine,
    /** Writes a planned patch, all files or none. */
    applyPatch: promiseActor<PatchOutcome, { run: PatchRun }>('applyPatch'),
  },
  guards: {
    verdictRefuse: ({ context }) => context.verdict?.decision === 'refuse',
    verdictAsk: ({ context }) => context.verdict?.decision === 'ask',
    approvalAbandoned: (_, output: ApprovalOutput) => output.abandoned,
    approvalAccepted: (_, output: ApprovalOutput) => isAccept(output.decision),
    approvalCancelled: (_, output: ApprovalOutput) => output.decision === 'cancel',
    applied: ({ context }) => context.outcome?.status === 'completed',
  },
  actions: {
    setVerdict: assign({ verdict: (_, verdict: PolicyVerdict) => verdict }),
    setModelOutput: assign({ modelOutput: (_, text: string) => text }),
    refusalOutput: assign({ modelOutput: ({ context }) => (context.verdict?.decision === 'refuse' ? context.verdict.message : '') }),
    rememberGrant: assign({
      grants: ({ context }, decision: ApprovalDecision) => (decision === 'acceptForSession' ? [...context.grants, context.prepared.grantKey] : context.grants),
    }),
    markCancelled: assign({ cancelTurn: true }),
    announceWait: enqueueActions(({ context, enqueue, self }) => {
      if (context.verdict?.decision === 'ask') tell(enqueue, self, { type: 'call.awaitingApproval', approvalId: approvalIdOf(context) });
    }),
    settleWait: enqueueActions(({ context, enqueue, self }) => tell(enqueue, self, { type: 'call.approvalSettled', approvalId: approvalIdOf(context) })),
    /** A patch's item shows every change before anything is written. */
    startItem: enqueueActions(({ context, enqueue, self }) => {
      const at = context.clock.nowMs();
      const item = fileChangeItem(context.call.callId, context.prepared.changes, at);
      enqueue.assign({ item });
      tell(enqueue, self, { type: 'call.itemStarted', item });
      publish(enqueue, self, itemStarted(context, item, at));
    }),
    ask: enqueueActions(({ context, enqueue }) => {
      const approvalId = approvalIdOf(context);
      const reason = context.verdict?.decision === 'ask' ? context.verdict.reason : null;
      const request = patchApprovalRequest(
        { ref: context, itemId: context.call.callId, startedAtMs: context.item?.startedAtMs ?? context.clock.nowMs() },
        reason,
        context.prepared.grantRoot,
      );
      // Registered under its approval id, so the client's decision reaches it directly.
      enqueue.spawnChild('approval', { id: 'approval', systemId: approvalId, input: { threadId: context.threadId, approvalId, request, assessWith: null } });
    }),
    /** What the files held before: the turn's diff covers files outside any repository by these. */
    rememberBaselines: enqueueActions(({ context, enqueue, system }) => {
      const tracker = system.get(turnDiffId(context.turnId)) as AnyActorRef | undefined;
      const remember: TurnDiffEvent = { type: 'diff.remember', baselines: context.prepared.run.baselines };
      if (tracker) enqueue.sendTo(tracker, remember);
    }),
    holdOutcome: assign({ outcome: (_, outcome: PatchOutcome) => outcome, modelOutput: (_, outcome: PatchOutcome) => outcome.modelOutput }),
    measureDiff: enqueueActions(({ context, enqueue, self, system }) => requestDiff(enqueue, self, system, context.turnId)),
    /** Completes the item; a written patch's diff follows when it changed the turn's. */
    completeItem: enqueueActions(({ context, enqueue, self }, end: { status: FileChangeItem['status']; diff: string | null }) => {
      if (!context.item) return;
      const at = context.clock.nowMs();
      const item: FileChangeItem = { ...context.item, status: end.status, completedAtMs: at };
      enqueue.assign({ item });
      tell(enqueue, self, { type: 'call.itemCompleted', itemId: item.id });
      publish(enqueue, self, itemCompleted(context, item, at));
      if (end.diff !== null) {
        tell(enqueue, self, { type: 'call.diffChanged', diff: end.diff });
        publish(enqueue, self, diffUpdated(context, end.diff));
      }
    }),
    forward: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, ...event.events);
    }),
  },
}).createMachine({
  id: 'patchCall',
  context: ({ input }) => ({ ...input, verdict: null, item: null, outcome: null, modelOutput: '', cancelTurn: false, grants: [] }),
  on: { relay: { actions: 'forward' } },
  initial: 'policyCheck',
  states: {
    /** Decide whether the patch is written at once, only after asking, or not at all. */
    policyCheck: {
      invoke: {
        id: 'checkPolicy',
        src: 'checkPolicy',
        input: ({ context }) => policyCheckInput(context.prepared, context.settings, context.sessionGrants),
        onDone: { target: 'deciding', actions: { type: 'setVerdict', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `policy check failed: ${String(event.error)}` } },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    deciding: {
      entry: ['startItem', 'announceWait'],
      always: [
        { guard: 'verdictRefuse', target: 'done', actions: [{ type: 'completeItem', params: { status: 'declined', diff: null } }, 'refusalOutput'] },
        { guard: 'verdictAsk', target: 'awaitingApproval' },
        { target: 'applying' },
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
            actions: [{ type: 'completeItem', params: { status: 'declined', diff: null } }, { type: 'setModelOutput', params: ABORTED }, 'settleWait'],
          },
          {
            guard: { type: 'approvalAccepted', params: ({ event }) => event.output },
            target: 'applying',
            actions: ['settleWait', { type: 'rememberGrant', params: ({ event }) => event.output.decision }],
          },
          {
            guard: { type: 'approvalCancelled', params: ({ event }) => event.output },
            target: 'done',
            actions: [
              { type: 'completeItem', params: { status: 'declined', diff: null } },
              { type: 'setModelOutput', params: CANCELLED_BY_USER },
              'markCancelled',
              'settleWait',
            ],
          },
          {
            target: 'done',
            actions: [{ type: 'completeItem', params: { status: 'declined', diff: null } }, { type: 'setModelOutput', params: PATCH_REJECTED }, 'settleWait'],
          },
        ],
      },
    },
    /** The patch is written, every file or none; it is quick, so an interrupt waits for it. */
    applying: {
      entry: 'rememberBaselines',
      invoke: {
        id: 'applyPatch',
        src: 'applyPatch',
        input: ({ context }) => ({ run: context.prepared.run }),
        onDone: { target: 'written', actions: { type: 'holdOutcome', params: ({ event }) => event.output } },
        onError: {
          target: 'written',
          actions: { type: 'holdOutcome', params: ({ event }) => ({ status: 'failed' as const, modelOutput: `apply_patch failed: ${String(event.error)}` }) },
        },
      },
    },
    written: {
      always: [
        { guard: 'applied', target: 'measuring' },
        { target: 'done', actions: { type: 'completeItem', params: { status: 'failed', diff: null } } },
      ],
    },
    /** What the patch changed joins the turn's diff before its item completes. */
    measuring: {
      entry: 'measureDiff',
      on: {
        'diff.measured': { target: 'done', actions: { type: 'completeItem', params: ({ event }) => ({ status: 'completed' as const, diff: event.diff }) } },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ modelOutput: context.modelOutput, cancelTurn: context.cancelTurn, grants: context.grants }),
});
