import { assign, enqueueActions, sendTo, setup, type AnyActorRef, type DoneActorEvent } from 'xstate';
import {
  errorMessage,
  emptyUsage,
  type ApprovalDecision,
  type ElicitationAction,
  type ElicitationContent,
  type ElicitationQuestion,
  type McpStartupState,
  type ProtocolEvent,
  type ResponseItem,
  type Thread,
  type ThreadOverrides,
  type ThreadSettings,
  type ThreadStatus,
  type TokenUsageBreakdown,
  type TurnError,
  type TurnOverrides,
  type UserInput,
} from '../protocol/index.js';
import { approvalMachine, type ApprovalEvent, type ApprovalOutput } from './approval.machine.js';
import type { Clock } from './clock.js';
import {
  activeStatus,
  elicitationRequest,
  finishedTurn,
  mcpStartupStatus,
  threadStarted,
  threadStatus,
  tokenUsage,
  turnCompleted,
  turnError,
  warning,
} from './events.js';
import { publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { turnDiffId, turnDiffMachine } from './turnDiff.machine.js';
import type { ContextMeasure } from './context.budget.js';
import { turnMachine, type ConversationCommitted, type ConversationCompacted, type TurnOutput, type TurnReport } from './turn.machine.js';
import { promiseActor } from './unprovided.js';

/** A stored conversation to continue (thread/resume). */
interface ResumedState {
  history: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
  /** The last recorded turn and what it used, reported again when the thread is loaded. */
  lastTurn: { turnId: string; usage: TokenUsageBreakdown } | null;
}

export interface SessionInput {
  threadId: string;
  overrides: ThreadOverrides;
  resumed: ResumedState | null;
  clock: Clock;
}

/** What configuring a thread yields: the settings in effect and the thread as clients see it. */
export interface ConfiguredThread {
  settings: ThreadSettings;
  thread: Thread;
  /** What the client should be told once the thread is up (resuming with another model than it recorded). */
  warnings?: string[];
}

export type SessionEvent =
  | { type: 'turn.start'; turnId: string; userMessageId: string; input: UserInput[]; overrides: TurnOverrides }
  /** Compact the conversation now, in a turn of its own (thread/compact/start). */
  | { type: 'compact.start'; turnId: string }
  | { type: 'turn.interrupt' }
  | { type: 'approval.decide'; approvalId: string; decision: ApprovalDecision; content?: ElicitationContent | null }
  /** An MCP server asks the user something (`elicitation/create`); the answer comes back as `elicitation.answered`. */
  | { type: 'elicitation.ask'; elicitationId: string; serverName: string; question: ElicitationQuestion }
  /** The server no longer waits for the answer (it cancelled the request, or the call it belonged to ended). */
  | { type: 'elicitation.abandon'; elicitationId: string }
  /** One of the thread's MCP servers moved on in its start (reported to clients once the thread is announced). */
  | { type: 'mcp.status'; name: string; status: McpStartupState; error: string | null }
  | DoneActorEvent<ApprovalOutput, `elicitation.${string}`>
  | { type: 'thread.close' }
  | RelayEvent
  | ConversationCommitted
  | ConversationCompacted
  | TurnReport;

/** The answer to a `turn.start` the thread cannot take now; adapters turn it into their error. */
interface TurnRejected {
  type: 'turn.rejected';
  turnId: string;
  reason: string;
}

/** The user's answer to an MCP server's question, for the runtime to send back to the server. */
interface ElicitationAnswered {
  type: 'elicitation.answered';
  elicitationId: string;
  action: ElicitationAction;
  content: ElicitationContent | null;
}

/** What the session emits: protocol events for clients, the conversation for the rollout, refusals and answers for the caller. */
export type SessionEmitted = ProtocolEmitted | ConversationCommitted | ConversationCompacted | TurnRejected | ElicitationAnswered;

export interface SessionOutput {
  /** Set when the thread could not be configured. */
  error: TurnError | null;
}

/** The turn being run: a user's, or a compaction asked for on its own. */
type TurnStart = Omit<Extract<SessionEvent, { type: 'turn.start' }>, 'type'> & { compactOnly: boolean };

interface SessionContext extends SessionInput {
  settings: ThreadSettings | null;
  /** The thread as clients see it, its status included. */
  thread: Thread | null;
  warnings: string[];
  history: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
  contextMeasure: ContextMeasure | null;
  grants: string[];
  currentTurn: TurnStart | null;
  /** The MCP servers' questions waiting for the user, by id. */
  elicitations: string[];
  /** MCP start-up news that came before the thread was announced, published right after it. */
  earlyMcpStatus: ProtocolEvent[];
  closeRequested: boolean;
  error: TurnError | null;
}

const firstText = (input: UserInput[]): string => input.find((part): part is Extract<UserInput, { type: 'text' }> => part.type === 'text')?.text ?? '';

/** Settings a turn changes stay changed for the turns after it. */
const applyTurnOverrides = (settings: ThreadSettings, overrides: TurnOverrides): ThreadSettings => {
  const next: ThreadSettings = { ...settings };
  if (overrides.cwd) next.cwd = overrides.cwd;
  if (overrides.approvalPolicy) next.approvalPolicy = overrides.approvalPolicy;
  if (overrides.model) next.model = overrides.model;
  if (overrides.effort !== undefined) next.reasoningEffort = overrides.effort;
  if (overrides.summary) next.reasoningSummary = overrides.summary;
  const sandbox = overrides.sandboxPolicy;
  if (sandbox?.type === 'readOnly') {
    next.sandboxMode = 'read-only';
    next.networkAccess = sandbox.networkAccess;
  } else if (sandbox?.type === 'workspaceWrite') {
    next.sandboxMode = 'workspace-write';
    next.writableRoots = sandbox.writableRoots;
    next.networkAccess = sandbox.networkAccess;
    next.excludeTmpdirEnvVar = sandbox.excludeTmpdirEnvVar;
    next.excludeSlashTmp = sandbox.excludeSlashTmp;
  } else if (sandbox?.type === 'dangerFullAccess') {
    next.sandboxMode = 'danger-full-access';
  }
  return next;
};

interface StatusEnqueue {
  assign: (values: Partial<SessionContext>) => void;
  emit: (emitted: ProtocolEmitted) => void;
  sendParent: (event: RelayEvent) => void;
}

/** The thread's status changes here only, and clients hear each change. */
const setStatus = (enqueue: StatusEnqueue, self: Parameters<typeof publish>[1], context: SessionContext, status: ThreadStatus) => {
  if (!context.thread) return;
  enqueue.assign({ thread: { ...context.thread, status } });
  publish(enqueue, self, threadStatus(context.threadId, status));
};

/**
 * One thread: configure once, then run turns one at a time, carrying the conversation,
 * token usage and "accept for session" grants from turn to turn, until it is closed. The
 * thread's status, which turn may start, what goes to the rollout and the turn-diff tracker's
 * life are all decided here.
 */
export const sessionMachine = setup({
  types: {
    input: {} as SessionInput,
    output: {} as SessionOutput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
  },
  actors: {
    configure: promiseActor<ConfiguredThread, SessionInput>('configure'),
    /** An MCP server's question is asked like an approval: published, answered once, resolved. */
    approval: approvalMachine,
    turn: turnMachine,
    turnDiff: turnDiffMachine,
    /** Ends what finished commands left running; the sessions the model may come back to stay. */
    reapProcesses: promiseActor<void, { threadId: string }>('reapProcesses'),
    shutdown: promiseActor<void, { threadId: string }>('shutdown'),
  },
  guards: {
    closeRequested: ({ context }) => context.closeRequested,
    /** A question can reach the user once the thread is up (a closing thread declines it in its own state). */
    canAsk: ({ context }) => context.thread !== null,
  },
  actions: {
    configured: assign((_, configured: ConfiguredThread) => ({
      settings: configured.settings,
      thread: configured.thread,
      warnings: configured.warnings ?? [],
    })),
    configureFailed: assign({
      error: (_, { error }: { error: unknown }) => turnError(errorMessage(error), 'configuration'),
    }),
    /** A new thread is announced; a resumed one reports its status and the usage it had so far. Warnings follow. */
    publishStarted: enqueueActions(({ context, enqueue, self }) => {
      if (!context.thread || !context.settings) return;
      const warnings = [...context.warnings.map((message) => warning(context.threadId, message)), ...context.earlyMcpStatus];
      enqueue.assign({ earlyMcpStatus: [] });
      if (!context.resumed) return publish(enqueue, self, threadStarted(context.thread), ...warnings);
      publish(enqueue, self, threadStatus(context.threadId, context.thread.status));
      const { lastTurn } = context.resumed;
      if (lastTurn) {
        publish(
          enqueue,
          self,
          tokenUsage(
            { threadId: context.threadId, turnId: lastTurn.turnId },
            { total: context.usageTotal, last: lastTurn.usage, modelContextWindow: context.settings.modelContextWindow },
          ),
        );
      }
      publish(enqueue, self, ...warnings);
    }),
    beginTurn: assign(({ context, event }) => {
      if (!context.settings || !context.thread) return {};
      if (event.type === 'compact.start') {
        return { currentTurn: { turnId: event.turnId, userMessageId: `${event.turnId}-compact`, input: [], overrides: {}, compactOnly: true } };
      }
      if (event.type !== 'turn.start') return {};
      const { type: _type, ...start } = event;
      const preview = context.thread.preview || firstText(event.input);
      return {
        currentTurn: { ...start, compactOnly: false },
        settings: applyTurnOverrides(context.settings, event.overrides),
        thread: { ...context.thread, preview, updatedAt: Math.floor(context.clock.nowMs() / 1000) },
      };
    }),
    /** A turn runs: the thread is active until it is about to complete. */
    markActive: enqueueActions(({ context, enqueue, self }) => setStatus(enqueue, self, context, activeStatus(false))),
    markWaiting: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type === 'turn.waitingOnApproval') setStatus(enqueue, self, context, activeStatus(event.waiting));
    }),
    markIdle: enqueueActions(({ context, enqueue, self }) => setStatus(enqueue, self, context, { type: 'idle' })),
    rejectTurn: enqueueActions(({ enqueue, event }, reason: string) => {
      if (event.type === 'turn.start' || event.type === 'compact.start') enqueue.emit({ type: 'turn.rejected', turnId: event.turnId, reason });
    }),
    endTurn: assign(({ context }, output: TurnOutput) => ({
      history: [...(output.compactedHistory ?? context.history), ...output.added],
      usageTotal: output.usageTotal,
      contextMeasure: output.contextMeasure,
      grants: [...context.grants, ...output.grants],
      currentTurn: null,
    })),
    /** A crashed turn still gets its completion, so clients are never left waiting. */
    publishTurnCrash: enqueueActions(({ context, enqueue, self }, { error }: { error: unknown }) => {
      if (!context.currentTurn) return;
      const message = `internal error in the turn: ${errorMessage(error)}`;
      const now = context.clock.nowMs();
      setStatus(enqueue, self, context, { type: 'idle' });
      publish(
        enqueue,
        self,
        turnCompleted(
          context.threadId,
          finishedTurn(context.currentTurn.turnId, {
            status: 'failed',
            error: turnError(message, 'internal'),
            lastAgentMessage: null,
            startedAtMs: now,
            nowMs: now,
          }),
        ),
      );
      enqueue.assign({ currentTurn: null });
    }),
    /** What the turn publishes passes on unread. */
    forward: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, ...event.events);
    }),
    recordConversation: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'conversation.committed' || event.type === 'conversation.compacted') enqueue.emit(event);
    }),
    /** A decision goes straight to the approval actor registered under its id; one nobody waits for is dropped. */
    routeDecision: enqueueActions(({ enqueue, event, system }) => {
      if (event.type !== 'approval.decide') return;
      const approval = system.get(event.approvalId) as AnyActorRef | undefined;
      const decide: ApprovalEvent = { type: 'decide', decision: event.decision, content: event.content ?? null };
      if (approval) enqueue.sendTo(approval, decide);
    }),
    /** An MCP server's question goes to the user through an approval actor registered under its id. */
    askElicitation: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'elicitation.ask') return;
      const { elicitationId, serverName, question } = event;
      const request = elicitationRequest(context.threadId, context.currentTurn?.turnId ?? null, serverName, question);
      enqueue.spawnChild('approval', {
        id: `elicitation.${elicitationId}`,
        systemId: elicitationId,
        input: { threadId: context.threadId, approvalId: elicitationId, request, assessWith: null },
      });
      enqueue.assign({ elicitations: [...context.elicitations, elicitationId] });
    }),
    /** A question that cannot be asked now (the thread is not up yet, or closing) is declined at once. */
    declineElicitation: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'elicitation.ask')
        enqueue.emit({ type: 'elicitation.answered', elicitationId: event.elicitationId, action: 'decline', content: null });
    }),
    abandonElicitation: enqueueActions(({ enqueue, event, system }) => {
      if (event.type !== 'elicitation.abandon') return;
      const approval = system.get(event.elicitationId) as AnyActorRef | undefined;
      const abandon: ApprovalEvent = { type: 'abandon' };
      if (approval) enqueue.sendTo(approval, abandon);
    }),
    /** An MCP server's start-up news goes out at once once the thread is announced, and is kept until then. */
    publishMcpStatus: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'mcp.status') return;
      const status = mcpStartupStatus(context.threadId, event.name, event.status, event.error);
      if (context.thread && context.settings) publish(enqueue, self, status);
      else enqueue.assign({ earlyMcpStatus: [...context.earlyMcpStatus, status] });
    }),
    /** Closing: nobody will answer the questions still open, so they are cancelled. */
    abandonElicitations: enqueueActions(({ context, enqueue, system }) => {
      const abandon: ApprovalEvent = { type: 'abandon' };
      for (const elicitationId of context.elicitations) {
        const approval = system.get(elicitationId) as AnyActorRef | undefined;
        if (approval) enqueue.sendTo(approval, abandon);
      }
    }),
    /** The user answered (or the question was given up): the answer goes back to the server that asked. */
    answerElicitation: enqueueActions(({ context, enqueue, event }) => {
      if (!event.type.startsWith('xstate.done.actor.elicitation.')) return;
      const { actorId, output } = event as DoneActorEvent<ApprovalOutput, `elicitation.${string}`>;
      const elicitationId = actorId.slice('elicitation.'.length);
      const action: ElicitationAction = output.decision === 'accept' ? 'accept' : output.decision === 'decline' ? 'decline' : 'cancel';
      enqueue.assign({ elicitations: context.elicitations.filter((id) => id !== elicitationId) });
      enqueue.emit({ type: 'elicitation.answered', elicitationId, action, content: action === 'accept' ? output.content : null });
    }),
    requestClose: assign({ closeRequested: true }),
    interruptTurn: sendTo('turn', { type: 'interrupt' }),
    /** Each turn gets a tracker of what it changes, registered under the turn's id for its calls to find. */
    startDiff: enqueueActions(({ context, enqueue }) => {
      if (!context.currentTurn || !context.settings) return;
      const id = turnDiffId(context.currentTurn.turnId);
      enqueue.spawnChild('turnDiff', { id, systemId: id, input: { cwd: context.settings.cwd } });
    }),
    /** The turn is over: its tracker removes its scratch store on its own, while the thread takes the next turn. */
    finishDiff: enqueueActions(({ context, enqueue }) => {
      if (context.currentTurn) enqueue.sendTo(turnDiffId(context.currentTurn.turnId), { type: 'diff.close' });
    }),
    /** What finished commands left running is ended; sessions the model may come back to stay. */
    reap: enqueueActions(({ context, enqueue }) => enqueue.spawnChild('reapProcesses', { input: { threadId: context.threadId } })),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    ...input,
    settings: null,
    thread: null,
    warnings: [],
    history: input.resumed?.history ?? [],
    usageTotal: input.resumed?.usageTotal ?? emptyUsage(),
    contextMeasure: null,
    grants: [],
    currentTurn: null,
    elicitations: [],
    earlyMcpStatus: [],
    closeRequested: false,
    error: null,
  }),
  on: {
    relay: { actions: 'forward' },
    'approval.decide': { actions: 'routeDecision' },
    'elicitation.ask': [{ guard: 'canAsk', actions: 'askElicitation' }, { actions: 'declineElicitation' }],
    'elicitation.abandon': { actions: 'abandonElicitation' },
    'mcp.status': { actions: 'publishMcpStatus' },
    'xstate.done.actor.elicitation.*': { actions: 'answerElicitation' },
  },
  initial: 'configuring',
  states: {
    /** Config layers, settings and the thread record. */
    configuring: {
      invoke: {
        id: 'configure',
        src: 'configure',
        input: ({ context }) => ({ threadId: context.threadId, overrides: context.overrides, resumed: context.resumed, clock: context.clock }),
        onDone: { target: 'ready', actions: [{ type: 'configured', params: ({ event }) => event.output }, 'publishStarted'] },
        onError: { target: 'closed', actions: { type: 'configureFailed', params: ({ event }) => ({ error: event.error }) } },
      },
      on: {
        'turn.start': { actions: { type: 'rejectTurn', params: 'the thread is not configured yet' } },
        'compact.start': { actions: { type: 'rejectTurn', params: 'the thread is not configured yet' } },
      },
    },
    /** Idle, waiting for the next turn. */
    ready: {
      on: {
        'turn.start': { target: 'inTurn', actions: 'beginTurn' },
        'compact.start': { target: 'inTurn', actions: 'beginTurn' },
        'thread.close': 'closing',
      },
    },
    /** One turn at a time, with the tracker of what it changes beside it. */
    inTurn: {
      entry: ['markActive', 'startDiff'],
      invoke: {
        id: 'turn',
        src: 'turn',
        input: ({ context }) => ({
          threadId: context.threadId,
          turnId: context.currentTurn!.turnId,
          settings: context.settings!,
          history: context.history,
          userInput: context.currentTurn!.input,
          userMessageId: context.currentTurn!.userMessageId,
          sessionGrants: context.grants,
          usageTotal: context.usageTotal,
          contextMeasure: context.contextMeasure,
          compactOnly: context.currentTurn!.compactOnly,
          clock: context.clock,
        }),
        onDone: [
          { guard: 'closeRequested', target: 'closing', actions: ['finishDiff', 'reap', { type: 'endTurn', params: ({ event }) => event.output }] },
          { target: 'ready', actions: ['finishDiff', 'reap', { type: 'endTurn', params: ({ event }) => event.output }] },
        ],
        onError: [
          {
            guard: 'closeRequested',
            target: 'closing',
            actions: ['finishDiff', 'reap', { type: 'publishTurnCrash', params: ({ event }) => ({ error: event.error }) }],
          },
          { target: 'ready', actions: ['finishDiff', 'reap', { type: 'publishTurnCrash', params: ({ event }) => ({ error: event.error }) }] },
        ],
      },
      on: {
        'conversation.committed': { actions: 'recordConversation' },
        'conversation.compacted': { actions: 'recordConversation' },
        'turn.waitingOnApproval': { actions: 'markWaiting' },
        'turn.finishing': { actions: 'markIdle' },
        'turn.start': { actions: { type: 'rejectTurn', params: 'a turn is already running on this thread' } },
        'compact.start': { actions: { type: 'rejectTurn', params: 'a turn is already running on this thread' } },
        // Interrupts and closing reach the turn; decisions reach their approval actor directly (from any state).
        'turn.interrupt': { actions: 'interruptTurn' },
        'thread.close': { actions: ['requestClose', 'interruptTurn'] },
      },
    },
    /** Kill what the thread left running (exec sessions) and flush what it wrote. */
    closing: {
      entry: 'abandonElicitations',
      invoke: {
        id: 'shutdown',
        src: 'shutdown',
        input: ({ context }) => ({ threadId: context.threadId }),
        onDone: 'closed',
        onError: 'closed',
      },
      on: {
        'turn.start': { actions: { type: 'rejectTurn', params: 'the thread is closing' } },
        'compact.start': { actions: { type: 'rejectTurn', params: 'the thread is closing' } },
        'elicitation.ask': { actions: 'declineElicitation' },
      },
    },
    closed: { type: 'final' },
  },
  output: ({ context }) => ({ error: context.error }),
});
