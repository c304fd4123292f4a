import { assign, enqueueActions, setup, type AnyActorRef, type DoneActorEvent } from 'xstate';
import {
  addUsage,
  type AgentMessageItem,
  type ApprovalDecision,
  type ModelStreamEvent,
  type ProtocolEvent,
  type ReasoningItem,
  type ResponseItem,
  type ThreadItem,
  type ThreadSettings,
  type TokenUsageBreakdown,
  type Turn,
  type CodexErrorInfo,
  type TurnError,
  type TurnStatus,
  type UserInput,
  type UserMessageItem,
  type WebSearchItem,
} from '../protocol/index.js';
import { nowMs, nowSeconds, publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { toolCallMachine, type ToolCallOutcome, type ToolCallRequest } from './toolCall.machine.js';
import { callbackActor, promiseActor } from './unprovided.js';
import { webSearchItem } from './web.search.js';

export interface TurnInput {
  threadId: string;
  turnId: string;
  settings: ThreadSettings;
  /** The conversation before this turn, as the model saw it. */
  history: ResponseItem[];
  userInput: UserInput[];
  userMessageId: string;
  sessionGrants: string[];
  usageTotal: TokenUsageBreakdown;
}

/** What a model stream reports, one XState event per kind. */
export type ModelEvent = {
  [K in ModelStreamEvent['type']]: { type: `model.${K}`; data: Extract<ModelStreamEvent, { type: K }> };
}[ModelStreamEvent['type']];

export const toModelEvent = (data: ModelStreamEvent): ModelEvent => ({ type: `model.${data.type}`, data }) as ModelEvent;

/** What the turn's preparation adds before the user's message (context the model needs). */
export interface PreparedTurn {
  contextItems: ResponseItem[];
  userItem: ResponseItem;
}

export interface ModelActorInput {
  threadId: string;
  settings: ThreadSettings;
  input: ResponseItem[];
}

/**
 * Items a turn has just added to the conversation, sent to the session as they are
 * committed (not only when the turn ends), so the rollout keeps them through a crash.
 * `usageTotal` is the thread's total so far.
 */
export interface ConversationCommitted {
  type: 'conversation.committed';
  turnId: string;
  items: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
}

export interface TurnOutput {
  status: Exclude<TurnStatus, 'inProgress'>;
  error: TurnError | null;
  turn: Turn;
  /** Items this turn added to the conversation, in order. */
  added: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
  /** "Accept for session" grants made during this turn. */
  grants: string[];
}

export type TurnEvent =
  | ModelEvent
  | RelayEvent
  | { type: 'interrupt' }
  | { type: 'approval.decide'; approvalId: string; decision: ApprovalDecision }
  | DoneActorEvent<ToolCallOutcome, string>;

/** Items the model's output opens and later completes (a web search is the provider's tool, not ours to run). */
type StreamingItem = AgentMessageItem | ReasoningItem | WebSearchItem;

interface TurnContext extends TurnInput {
  startedAt: number;
  startedAtMs: number;
  /** Committed additions to the conversation. */
  added: ResponseItem[];
  /** Output of the current model request, committed when it completes. */
  round: ResponseItem[];
  pendingCalls: ToolCallRequest[];
  /** Agent message, reasoning and web search items started but not completed. */
  streaming: Record<string, StreamingItem>;
  /** Items of tool calls started but not completed, learnt from relayed events. */
  openToolItems: Record<string, ThreadItem>;
  runningCalls: string[];
  outcomes: ToolCallOutcome[];
  /** Approval id -> the call whose child asked it. */
  pendingApprovals: Record<string, string>;
  /** Calls between "the user will be asked" and "the answer is acted on". */
  callsAwaitingApproval: number;
  grants: string[];
  lastAgentMessage: AgentMessageItem | null;
  usageLast: TokenUsageBreakdown | null;
  /** A response's usage not yet reported (its tool calls are still running). */
  usagePending: boolean;
  /** The turn's diff so far, repeated after each usage report as the reference does. */
  turnDiff: string | null;
  status: Exclude<TurnStatus, 'inProgress'>;
  error: TurnError | null;
  processesStopped: boolean;
}

const failure = (message: string, codexErrorInfo: CodexErrorInfo | null = null): TurnError => ({
  message,
  codexErrorInfo,
  additionalDetails: null,
});

const turnObject = (context: TurnContext, done: boolean): Turn => {
  const completedAt = done ? nowSeconds() : null;
  return {
    id: context.turnId,
    rootTurnId: context.turnId,
    items: done && context.lastAgentMessage ? [context.lastAgentMessage] : [],
    itemsView: done ? 'summary' : 'notLoaded',
    status: done ? context.status : 'inProgress',
    error: done ? context.error : null,
    startedAt: context.startedAt,
    completedAt,
    durationMs: done ? nowMs() - context.startedAtMs : null,
  };
};

const textOf = (item: ResponseItem): string | null => {
  if (item.type !== 'message' || !Array.isArray(item.content)) return null;
  return (item.content as Array<{ type: string; text?: string }>)
    .filter((part) => part.type === 'output_text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
};

const textsOf = (parts: unknown): string[] | null =>
  Array.isArray(parts) ? parts.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')) : null;

const newStreamingItem = (itemType: string, id: string): StreamingItem | null => {
  const startedAtMs = nowMs();
  if (itemType === 'message') {
    return {
      type: 'agentMessage',
      moderation: null,
      id,
      text: '',
      phase: null,
      memoryCitation: null,
      delivery: null,
      questions: null,
      startedAtMs,
      completedAtMs: null,
    };
  }
  if (itemType === 'reasoning') return { type: 'reasoning', id, summary: [], content: [], startedAtMs, completedAtMs: null };
  if (itemType === 'web_search_call') return { ...webSearchItem(id, null), startedAtMs, completedAtMs: null };
  return null;
};

/** The final form of a streamed item, preferring what the provider sent at the end over the deltas. */
const finishStreamingItem = (open: StreamingItem, done: ResponseItem | null): StreamingItem => {
  const completedAtMs = nowMs();
  if (open.type === 'agentMessage') return { ...open, text: (done && textOf(done)) || open.text, completedAtMs };
  if (open.type === 'webSearch') return { ...open, ...(done ? webSearchItem(open.id, done) : {}), completedAtMs };
  const summary = done && done.type === 'reasoning' ? textsOf(done.summary) : null;
  const content = done && done.type === 'reasoning' ? textsOf(done.content) : null;
  return {
    ...open,
    summary: summary && summary.length > 0 ? summary : open.summary,
    content: content && content.length > 0 ? content : open.content,
    completedAtMs,
  };
};

const toolCallOf = (item: ResponseItem): ToolCallRequest | null => {
  if (item.type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string') {
    return { callId: item.call_id, name: item.name, kind: 'function', payload: String(item.arguments ?? '') };
  }
  if (item.type === 'custom_tool_call' && typeof item.call_id === 'string' && typeof item.name === 'string') {
    return { callId: item.call_id, name: item.name, kind: 'custom', payload: String(item.input ?? '') };
  }
  return null;
};

const itemIdOf = (item: ResponseItem): string | null => (typeof item.id === 'string' ? item.id : null);

const withTextAt = (texts: string[], index: number, delta: string): string[] => {
  const next = [...texts];
  while (next.length <= index) next.push('');
  next[index] = (next[index] ?? '') + delta;
  return next;
};

interface CommittingEnqueue {
  assign: (values: Partial<TurnContext>) => void;
  sendParent: (event: ConversationCommitted) => void;
}

/** Appends to the turn's conversation and reports the addition to the session. */
const commit = (enqueue: CommittingEnqueue, self: AnyActorRef, context: TurnContext, items: ResponseItem[], rest: Partial<TurnContext> = {}): void => {
  enqueue.assign({ ...rest, added: [...context.added, ...items] });
  if (self._parent) enqueue.sendParent({ type: 'conversation.committed', turnId: context.turnId, items, usageTotal: context.usageTotal });
};

/** A call's outputs in the order the model made the calls. */
const outputsInCallOrder = (calls: ToolCallRequest[], outcomes: ToolCallOutcome[]): ResponseItem[] =>
  calls.flatMap((call) => outcomes.find((outcome) => outcome.callId === call.callId)?.items ?? []);

/**
 * One turn: the user's message, then model requests and tool calls in rounds until the
 * model answers without calling a tool, the user interrupts, or the model fails.
 * Thread status, turn/started and turn/completed are published here so that no event of
 * the turn can come before the start or after the completion.
 */
export const turnMachine = setup({
  types: {
    input: {} as TurnInput,
    output: {} as TurnOutput,
    context: {} as TurnContext,
    events: {} as TurnEvent,
    emitted: {} as ProtocolEmitted,
  },
  actors: {
    prepareTurn: promiseActor<PreparedTurn, { settings: ThreadSettings; history: ResponseItem[]; userInput: UserInput[] }>(
      'prepareTurn',
    ),
    model: callbackActor<ModelActorInput>('model'),
    toolCall: toolCallMachine,
    stopProcesses: promiseActor<void, { threadId: string }>('stopProcesses'),
  },
  guards: {
    hasPendingCalls: ({ context }) => context.pendingCalls.length > 0,
    allCallsSettled: ({ context }) => context.runningCalls.length === 0,
    interruptSettled: ({ context }) => context.runningCalls.length === 0 && context.processesStopped,
    turnCancelled: ({ context }) => context.outcomes.some((outcome) => outcome.cancelTurn),
    isRunningCall: ({ context, event }) =>
      event.type.startsWith('xstate.done.actor.') &&
      context.runningCalls.includes((event as DoneActorEvent<ToolCallOutcome, string>).actorId),
    isPendingApproval: ({ context, event }) =>
      event.type === 'approval.decide' && event.approvalId in context.pendingApprovals,
  },
  actions: {
    publishStart: enqueueActions(({ context, enqueue, self }) => {
      const userItem: UserMessageItem = {
        type: 'userMessage',
        id: context.userMessageId,
        clientId: null,
        content: context.userInput,
        startedAtMs: context.startedAtMs,
        completedAtMs: null,
      };
      const base = { threadId: context.threadId, turnId: context.turnId };
      publish(
        enqueue,
        self,
        { method: 'thread/status/changed', params: { threadId: context.threadId, status: { type: 'active', activeFlags: [] } } },
        { method: 'turn/started', params: { threadId: context.threadId, turn: turnObject(context, false) } },
        { method: 'item/started', params: { ...base, item: userItem, startedAtMs: context.startedAtMs } },
        {
          method: 'item/completed',
          params: { ...base, item: { ...userItem, completedAtMs: nowMs() }, contentTokenCount: null, completedAtMs: nowMs() },
        },
      );
    }),
    commitPrepared: enqueueActions(({ context, enqueue, self }, prepared: PreparedTurn) =>
      commit(enqueue, self, context, [...prepared.contextItems, prepared.userItem]),
    ),
    itemAdded: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.outputItemAdded') return;
      const item = newStreamingItem(event.data.itemType, event.data.itemId);
      if (!item || context.streaming[item.id]) return;
      enqueue.assign({ streaming: { ...context.streaming, [item.id]: item } });
      publish(enqueue, self, {
        method: 'item/started',
        params: { item, threadId: context.threadId, turnId: context.turnId, startedAtMs: item.startedAtMs ?? nowMs() },
      });
    }),
    textDelta: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.outputTextDelta') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'agentMessage') return;
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, text: open.text + event.data.delta } } });
      publish(enqueue, self, {
        method: 'item/agentMessage/delta',
        params: { threadId: context.threadId, turnId: context.turnId, itemId: open.id, delta: event.data.delta },
      });
    }),
    summaryPartAdded: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.reasoningSummaryPartAdded') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'reasoning') return;
      const summary = withTextAt(open.summary, event.data.summaryIndex, '');
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, summary } } });
      publish(enqueue, self, {
        method: 'item/reasoning/summaryPartAdded',
        params: { threadId: context.threadId, turnId: context.turnId, itemId: open.id, summaryIndex: event.data.summaryIndex },
      });
    }),
    summaryDelta: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.reasoningSummaryTextDelta') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'reasoning') return;
      const summary = withTextAt(open.summary, event.data.summaryIndex, event.data.delta);
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, summary } } });
      publish(enqueue, self, {
        method: 'item/reasoning/summaryTextDelta',
        params: {
          threadId: context.threadId,
          turnId: context.turnId,
          itemId: open.id,
          delta: event.data.delta,
          summaryIndex: event.data.summaryIndex,
        },
      });
    }),
    reasoningDelta: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.reasoningTextDelta') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'reasoning') return;
      const content = withTextAt(open.content, event.data.contentIndex, event.data.delta);
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, content } } });
      publish(enqueue, self, {
        method: 'item/reasoning/textDelta',
        params: {
          threadId: context.threadId,
          turnId: context.turnId,
          itemId: open.id,
          delta: event.data.delta,
          contentIndex: event.data.contentIndex,
        },
      });
    }),
    /** A finished output item: messages and reasoning complete their items; calls queue up. */
    itemDone: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.outputItemDone') return;
      const done = event.data.item;
      const call = toolCallOf(done);
      enqueue.assign({
        round: [...context.round, done],
        pendingCalls: call ? [...context.pendingCalls, call] : context.pendingCalls,
      });
      if (call) return;
      const id = itemIdOf(done) ?? `${context.turnId}-item-${context.round.length}`;
      const existing = context.streaming[id];
      const opened = existing ?? newStreamingItem(done.type, id);
      if (!opened) return;
      const base = { threadId: context.threadId, turnId: context.turnId };
      if (!existing) publish(enqueue, self, { method: 'item/started', params: { ...base, item: opened, startedAtMs: nowMs() } });
      const item = finishStreamingItem(opened, done);
      const { [id]: _closed, ...streaming } = context.streaming;
      enqueue.assign({
        streaming,
        lastAgentMessage: item.type === 'agentMessage' ? item : context.lastAgentMessage,
      });
      publish(enqueue, self, {
        method: 'item/completed',
        params: { ...base, item, contentTokenCount: null, completedAtMs: item.completedAtMs ?? nowMs() },
      });
    }),
    /** Streaming items of a request that will not finish are completed with what arrived. */
    closeStreaming: enqueueActions(({ context, enqueue, self }) => {
      for (const open of Object.values(context.streaming)) {
        const item = finishStreamingItem(open, null);
        publish(enqueue, self, {
          method: 'item/completed',
          params: {
            item,
            threadId: context.threadId,
            turnId: context.turnId,
            contentTokenCount: null,
            completedAtMs: item.completedAtMs ?? nowMs(),
          },
        });
      }
      enqueue.assign({ streaming: {} });
    }),
    /** A retried request starts from scratch, so this attempt's output is dropped. */
    discardRound: assign({ round: [], pendingCalls: [] }),
    publishRetry: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.retrying') return;
      publish(enqueue, self, {
        method: 'error',
        params: {
          error: failure(event.data.message),
          willRetry: true,
          threadId: context.threadId,
          turnId: context.turnId,
        },
      });
    }),
    /** Usage is counted when a response completes, ... */
    recordUsage: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'model.completed' || !event.data.usage) return;
      enqueue.assign({ usageTotal: addUsage(context.usageTotal, event.data.usage), usageLast: event.data.usage, usagePending: true });
    }),
    /** ... and reported once the response's tool calls have settled, before the next request or the turn's end. */
    publishUsage: enqueueActions(({ context, enqueue, self }) => {
      if (!context.usagePending || !context.usageLast) return;
      enqueue.assign({ usagePending: false });
      publish(enqueue, self, {
        method: 'thread/tokenUsage/updated',
        params: {
          threadId: context.threadId,
          turnId: context.turnId,
          tokenUsage: { total: context.usageTotal, last: context.usageLast, modelContextWindow: context.settings.modelContextWindow },
        },
      });
      if (context.turnDiff !== null) {
        publish(enqueue, self, { method: 'turn/diff/updated', params: { threadId: context.threadId, turnId: context.turnId, diff: context.turnDiff } });
      }
    }),
    /** A finished response joins the conversation; its calls then run (their outputs follow when all are done). */
    commitRound: enqueueActions(({ context, enqueue, self }) => commit(enqueue, self, context, context.round, { round: [] })),
    fail: enqueueActions(({ context, enqueue, self }, error: TurnError) => {
      enqueue.assign({ status: 'failed', error });
      publish(enqueue, self, {
        method: 'error',
        params: { error, willRetry: false, threadId: context.threadId, turnId: context.turnId },
      });
    }),
    markInterrupted: assign({ status: 'interrupted' as const }),
    spawnCalls: enqueueActions(({ context, enqueue }) => {
      for (const call of context.pendingCalls) {
        enqueue.spawnChild('toolCall', {
          id: call.callId,
          input: {
            threadId: context.threadId,
            turnId: context.turnId,
            call,
            settings: context.settings,
            assessRisk: context.settings.features['sandbox_command_assessment'] === true,
            sessionGrants: [...context.sessionGrants, ...context.grants],
          },
        });
      }
      enqueue.assign({ runningCalls: context.pendingCalls.map((call) => call.callId), outcomes: [] });
    }),
    recordOutcome: assign(({ context, event }) => {
      const done = event as DoneActorEvent<ToolCallOutcome, string>;
      return {
        runningCalls: context.runningCalls.filter((id) => id !== done.actorId),
        outcomes: [...context.outcomes, done.output],
        grants: [...context.grants, ...done.output.grants],
      };
    }),
    /** Every call gets its output in the conversation, so the next request is well-formed. */
    commitOutcomes: enqueueActions(({ context, enqueue, self }) =>
      commit(enqueue, self, context, outputsInCallOrder(context.pendingCalls, context.outcomes), { pendingCalls: [], outcomes: [] }),
    ),
    interruptCalls: enqueueActions(({ context, enqueue }) => {
      for (const callId of context.runningCalls) enqueue.sendTo(callId, { type: 'interrupt' });
    }),
    forwardDecision: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'approval.decide') return;
      const callId = context.pendingApprovals[event.approvalId];
      if (callId && context.runningCalls.includes(callId)) enqueue.sendTo(callId, event);
    }),
    /** Child events are published as they come; approvals also drive the thread's status flags. */
    republish: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'relay') return;
      const relayed = event.event;
      const status = (activeFlags: Array<'waitingOnApproval'>): ProtocolEvent => ({
        method: 'thread/status/changed',
        params: { threadId: context.threadId, status: { type: 'active', activeFlags } },
      });
      switch (relayed.method) {
        case 'thread/status/changed': {
          // A call starts or stops waiting on the user; the thread waits while any call does.
          const waiting = relayed.params.status.type === 'active' && relayed.params.status.activeFlags.includes('waitingOnApproval');
          const count = context.callsAwaitingApproval + (waiting ? 1 : -1);
          enqueue.assign({ callsAwaitingApproval: Math.max(0, count) });
          if (waiting ? count === 1 : count === 0) publish(enqueue, self, status(waiting ? ['waitingOnApproval'] : []));
          return;
        }
        case 'turn/diff/updated':
          enqueue.assign({ turnDiff: relayed.params.diff });
          publish(enqueue, self, relayed);
          return;
        case 'item/commandExecution/requestApproval':
        case 'item/fileChange/requestApproval':
          enqueue.assign({ pendingApprovals: { ...context.pendingApprovals, [relayed.approvalId]: relayed.params.itemId } });
          publish(enqueue, self, relayed);
          return;
        case 'serverRequest/resolved': {
          const { [relayed.approvalId]: _resolved, ...rest } = context.pendingApprovals;
          enqueue.assign({ pendingApprovals: rest });
          publish(enqueue, self, relayed);
          return;
        }
        case 'item/started':
          enqueue.assign({ openToolItems: { ...context.openToolItems, [relayed.params.item.id]: relayed.params.item } });
          publish(enqueue, self, relayed);
          return;
        case 'item/completed': {
          const { [relayed.params.item.id]: _done, ...open } = context.openToolItems;
          enqueue.assign({ openToolItems: open });
          publish(enqueue, self, relayed);
          return;
        }
        default:
          publish(enqueue, self, relayed);
      }
    }),
    stoppedProcesses: assign({ processesStopped: true }),
    /**
     * The last word of the turn. Anything a child left open (it cannot, by its own
     * tests, but a crashed child could) is closed here so clients never wait forever.
     */
    publishCompletion: enqueueActions(({ context, enqueue, self }) => {
      const base = { threadId: context.threadId, turnId: context.turnId };
      for (const approvalId of Object.keys(context.pendingApprovals)) {
        publish(enqueue, self, { method: 'serverRequest/resolved', approvalId, params: { threadId: context.threadId } });
      }
      for (const open of Object.values(context.openToolItems)) {
        const completedAtMs = nowMs();
        const item = 'status' in open ? ({ ...open, status: 'failed', completedAtMs } as ThreadItem) : open;
        publish(enqueue, self, {
          method: 'item/completed',
          params: { ...base, item, contentTokenCount: null, completedAtMs },
        });
      }
      publish(
        enqueue,
        self,
        { method: 'thread/status/changed', params: { threadId: context.threadId, status: { type: 'idle' } } },
        { method: 'turn/completed', params: { threadId: context.threadId, turn: turnObject(context, true) } },
      );
      enqueue.assign({ pendingApprovals: {}, openToolItems: {} });
    }),
  },
}).createMachine({
  id: 'turn',
  context: ({ input }) => ({
    ...input,
    startedAt: nowSeconds(),
    startedAtMs: nowMs(),
    added: [],
    round: [],
    pendingCalls: [],
    streaming: {},
    openToolItems: {},
    runningCalls: [],
    outcomes: [],
    pendingApprovals: {},
    grants: [],
    lastAgentMessage: null,
    usageLast: null,
    usagePending: false,
    turnDiff: null,
    callsAwaitingApproval: 0,
    status: 'completed',
    error: null,
    processesStopped: false,
  }),
  entry: 'publishStart',
  on: { relay: { actions: 'republish' } },
  initial: 'preparing',
  states: {
    /** Turn the user's input and the environment into conversation items. */
    preparing: {
      invoke: {
        id: 'prepareTurn',
        src: 'prepareTurn',
        input: ({ context }) => ({ settings: context.settings, history: context.history, userInput: context.userInput }),
        onDone: { target: 'sampling', actions: { type: 'commitPrepared', params: ({ event }) => event.output } },
        onError: {
          target: 'finishing',
          actions: { type: 'fail', params: ({ event }) => failure(`could not prepare the turn: ${String(event.error)}`) },
        },
      },
      on: { interrupt: { target: 'interrupting', actions: 'markInterrupted' } },
    },
    /** One model request streams; its items are published as they arrive. */
    sampling: {
      invoke: {
        id: 'model',
        src: 'model',
        input: ({ context }) => ({
          threadId: context.threadId,
          settings: context.settings,
          input: [...context.history, ...context.added],
        }),
      },
      on: {
        'model.outputItemAdded': { actions: 'itemAdded' },
        'model.outputTextDelta': { actions: 'textDelta' },
        'model.reasoningSummaryPartAdded': { actions: 'summaryPartAdded' },
        'model.reasoningSummaryTextDelta': { actions: 'summaryDelta' },
        'model.reasoningTextDelta': { actions: 'reasoningDelta' },
        'model.outputItemDone': { actions: 'itemDone' },
        'model.retrying': { actions: ['closeStreaming', 'discardRound', 'publishRetry'] },
        'model.completed': [
          { guard: 'hasPendingCalls', target: 'dispatching', actions: ['closeStreaming', 'recordUsage', 'commitRound'] },
          { target: 'finishing', actions: ['closeStreaming', 'recordUsage', 'commitRound'] },
        ],
        'model.failed': {
          target: 'finishing',
          actions: ['closeStreaming', 'discardRound', { type: 'fail', params: ({ event }) => event.data.error }],
        },
        interrupt: { target: 'interrupting', actions: ['closeStreaming', 'discardRound', 'markInterrupted'] },
      },
    },
    /** The calls of one response run side by side; their outputs go back in call order. */
    dispatching: {
      entry: 'spawnCalls',
      on: {
        'xstate.done.actor.*': { guard: 'isRunningCall', actions: 'recordOutcome' },
        'approval.decide': { guard: 'isPendingApproval', actions: 'forwardDecision' },
        interrupt: { target: 'interrupting', actions: ['interruptCalls', 'markInterrupted'] },
      },
      always: [
        {
          guard: 'turnCancelled',
          target: 'interrupting',
          actions: ['interruptCalls', 'markInterrupted'],
        },
        { guard: 'allCallsSettled', target: 'sampling', actions: ['publishUsage', 'commitOutcomes'] },
      ],
    },
    /** Every call is told to stop and every process of the thread is killed before the turn ends. */
    interrupting: {
      invoke: {
        id: 'stopProcesses',
        src: 'stopProcesses',
        input: ({ context }) => ({ threadId: context.threadId }),
        onDone: { actions: 'stoppedProcesses' },
        onError: { actions: 'stoppedProcesses' },
      },
      on: {
        'xstate.done.actor.*': { guard: 'isRunningCall', actions: 'recordOutcome' },
        'approval.decide': { guard: 'isPendingApproval', actions: 'forwardDecision' },
      },
      always: { guard: 'interruptSettled', target: 'finishing', actions: 'commitOutcomes' },
    },
    finishing: {
      entry: ['publishUsage', 'publishCompletion'],
      always: 'done',
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({
    status: context.status,
    error: context.error,
    turn: turnObject(context, true),
    added: context.added,
    usageTotal: context.usageTotal,
    grants: context.grants,
  }),
});
