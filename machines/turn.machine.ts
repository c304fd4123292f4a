import { assign, enqueueActions, setup, type AnyActorRef, type DoneActorEvent } from 'xstate';
import {
  addUsage,
  asText,
  errorMessage,
  type AgentMessageItem,
  type ContextCompactionItem,
  type ModelStreamEvent,
  type ReasoningItem,
  type ResponseItem,
  type ThreadItem,
  type ThreadSettings,
  type TokenUsageBreakdown,
  type Turn,
  type TurnError,
  type TurnStatus,
  type UserInput,
  type WebSearchItem,
} from '../protocol/index.js';
import type { CallFact, ToolCallOutcome, ToolCallRequest } from './calls.js';
import type { Clock } from './clock.js';
import { contextTokens, measureOf, type ContextMeasure } from './context.budget.js';
import {
  agentMessageDelta,
  agentMessageItem,
  approvalResolved,
  contextCompactionItem,
  diffUpdated,
  finishedTurn,
  itemCompleted,
  itemStarted,
  reasoningItem,
  reasoningTextDelta,
  runningTurn,
  summaryPartAdded,
  summaryTextDelta,
  threadCompacted,
  tokenUsage,
  turnCompleted,
  turnError,
  turnErrorEvent,
  turnStarted,
  userMessageItem,
  webSearchItem,
} from './events.js';
import { publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { toolCallMachine } from './toolCall.machine.js';
import { callbackActor, promiseActor } from './unprovided.js';

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
  /** The provider's last count of the conversation (null when unknown: estimated instead). */
  contextMeasure: ContextMeasure | null;
  /** A turn that only compacts the conversation (asked for by the client), with no user message. */
  compactOnly: boolean;
  clock: Clock;
}

/** Text deltas of one agent message that arrived together: one transition, each delta still published on its own. */
export interface TextDeltasEvent {
  type: 'model.outputTextDeltas';
  data: { itemId: string; deltas: string[] };
}

/** What a model stream reports, one XState event per kind (text deltas in runs). */
export type ModelEvent =
  | {
      [K in Exclude<ModelStreamEvent['type'], 'outputTextDelta'>]: { type: `model.${K}`; data: Extract<ModelStreamEvent, { type: K }> };
    }[Exclude<ModelStreamEvent['type'], 'outputTextDelta'>]
  | TextDeltasEvent;

export const toModelEvent = (data: ModelStreamEvent): ModelEvent =>
  data.type === 'outputTextDelta'
    ? { type: 'model.outputTextDeltas', data: { itemId: data.itemId, deltas: [data.delta] } }
    : ({ type: `model.${data.type}`, data } as ModelEvent);

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

/** The separate request for a handoff summary: the conversation so far, with the settings of the thread. */
export interface CompactInput {
  threadId: string;
  settings: ThreadSettings;
  input: ResponseItem[];
}

/** What a compaction yields: the conversation that replaces the old one (summary included) and what the request used. */
export interface CompactionResult {
  summary: string;
  history: ResponseItem[];
  usage: TokenUsageBreakdown | null;
}

/**
 * The conversation was compacted: everything before is replaced by `history` (the rollout
 * records it, so a resumed thread continues from it); later commits append to it.
 */
export interface ConversationCompacted {
  type: 'conversation.compacted';
  turnId: string;
  summary: string;
  history: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
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

/**
 * What the turn tells the session besides its conversation: that a call started or stopped
 * waiting on the user (the thread's status follows), and that the turn is about to complete.
 */
export type TurnReport = { type: 'turn.waitingOnApproval'; waiting: boolean } | { type: 'turn.finishing' };

export interface TurnOutput {
  status: Exclude<TurnStatus, 'inProgress'>;
  error: TurnError | null;
  turn: Turn;
  /** Items this turn added to the conversation, in order (after the compacted history, when it compacted). */
  added: ResponseItem[];
  /** The conversation that replaced the one the turn started with, when the turn compacted it. */
  compactedHistory: ResponseItem[] | null;
  contextMeasure: ContextMeasure | null;
  usageTotal: TokenUsageBreakdown;
  /** "Accept for session" grants made during this turn. */
  grants: string[];
}

export type TurnEvent = ModelEvent | RelayEvent | CallFact | { type: 'interrupt' } | DoneActorEvent<ToolCallOutcome, string>;

/** Items the model's output opens and later completes (a web search is the provider's tool, not ours to run). */
type StreamingItem = AgentMessageItem | ReasoningItem | WebSearchItem;

interface TurnContext extends TurnInput {
  startedAtMs: number;
  /** Committed additions to the conversation. */
  added: ResponseItem[];
  /** Output of the current model request, committed when it completes. */
  round: ResponseItem[];
  pendingCalls: ToolCallRequest[];
  /** Agent message, reasoning and web search items started but not completed. */
  streaming: Record<string, StreamingItem>;
  /** Items the calls told us they started and have not completed yet. */
  openToolItems: Record<string, ThreadItem>;
  runningCalls: string[];
  outcomes: ToolCallOutcome[];
  /** Approvals calls are waiting on, from "the user will be asked" until "the answer is acted on". */
  awaitedApprovals: string[];
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
  /** The compaction running now, as its item. */
  compaction: ContextCompactionItem | null;
  compactions: number;
  /** A rejection for length is answered by one compaction and one retry, not more. */
  retriedAfterRejection: boolean;
  /** Set once the conversation was compacted: `history` is then the compacted one. */
  compacted: boolean;
}

/** The conversation the next request carries. */
const conversationOf = (context: Pick<TurnContext, 'history' | 'added'>): ResponseItem[] => [...context.history, ...context.added];

const textOf = (item: ResponseItem): string | null => {
  if (item.type !== 'message' || !Array.isArray(item.content)) return null;
  return (item.content as Array<{ type: string; text?: string }>)
    .filter((part) => part.type === 'output_text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
};

const textsOf = (parts: unknown): string[] | null =>
  Array.isArray(parts) ? parts.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')) : null;

const newStreamingItem = (itemType: string, id: string, startedAtMs: number): StreamingItem | null => {
  if (itemType === 'message') return agentMessageItem(id, startedAtMs);
  if (itemType === 'reasoning') return reasoningItem(id, startedAtMs);
  if (itemType === 'web_search_call') return { ...webSearchItem(id, null), startedAtMs, completedAtMs: null };
  return null;
};

/** The final form of a streamed item, preferring what the provider sent at the end over the deltas. */
const finishStreamingItem = (open: StreamingItem, done: ResponseItem | null, completedAtMs: number): StreamingItem => {
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
    return { callId: item.call_id, name: item.name, kind: 'function', payload: asText(item.arguments) };
  }
  if (item.type === 'custom_tool_call' && typeof item.call_id === 'string' && typeof item.name === 'string') {
    return { callId: item.call_id, name: item.name, kind: 'custom', payload: asText(item.input) };
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

/** Tells the session; the report is also emitted, so a turn run alone (in its tests) shows it. */
const report = (enqueue: { emit: (event: TurnReport) => void; sendParent: (event: TurnReport) => void }, self: AnyActorRef, event: TurnReport): void => {
  enqueue.emit(event);
  if (self._parent) enqueue.sendParent(event);
};

/** Completes the open compaction's item. */
const closeCompaction = (
  enqueue: { assign: (values: Partial<TurnContext>) => void } & Parameters<typeof publish>[0],
  self: AnyActorRef,
  context: TurnContext,
): void => {
  if (!context.compaction) return;
  const now = context.clock.nowMs();
  publish(enqueue, self, itemCompleted(context, { ...context.compaction, completedAtMs: now }, now));
  enqueue.assign({ compaction: null });
};

/** The turn's own view of the turn for its completion. */
const completed = (context: TurnContext): Turn =>
  finishedTurn(context.turnId, {
    status: context.status,
    error: context.error,
    lastAgentMessage: context.lastAgentMessage,
    startedAtMs: context.startedAtMs,
    nowMs: context.clock.nowMs(),
  });

/** A call's outputs in the order the model made the calls. */
const outputsInCallOrder = (calls: ToolCallRequest[], outcomes: ToolCallOutcome[]): ResponseItem[] =>
  calls.flatMap((call) => outcomes.find((outcome) => outcome.callId === call.callId)?.items ?? []);

/**
 * One turn: the user's message, then model requests and tool calls in rounds until the
 * model answers without calling a tool, the user interrupts, or the model fails.
 * turn/started and turn/completed are published here so that no event of the turn can come
 * before the start or after the completion; the session, told as it happens, keeps the
 * thread's status.
 */
export const turnMachine = setup({
  types: {
    input: {} as TurnInput,
    output: {} as TurnOutput,
    context: {} as TurnContext,
    events: {} as TurnEvent,
    emitted: {} as ProtocolEmitted | TurnReport,
  },
  actors: {
    prepareTurn: promiseActor<PreparedTurn, { settings: ThreadSettings; history: ResponseItem[]; userInput: UserInput[] }>('prepareTurn'),
    model: callbackActor<ModelActorInput>('model'),
    compact: promiseActor<CompactionResult, CompactInput>('compact'),
    toolCall: toolCallMachine,
    stopProcesses: promiseActor<void, { threadId: string }>('stopProcesses'),
  },
  guards: {
    compactOnly: ({ context }) => context.compactOnly,
    /** The next request would reach the limit: the provider's last count plus an estimate of what was added since. */
    overCompactLimit: ({ context }) =>
      context.settings.autoCompactTokenLimit !== null &&
      contextTokens(conversationOf(context), context.contextMeasure) >= context.settings.autoCompactTokenLimit,
    /** The model refused the request as too long, and the turn has not compacted for that yet. */
    firstLengthRejection: ({ context, event }) =>
      event.type === 'model.failed' && event.data.error.codexErrorInfo === 'contextWindowExceeded' && !context.retriedAfterRejection,
    hasPendingCalls: ({ context }) => context.pendingCalls.length > 0,
    allCallsSettled: ({ context }) => context.runningCalls.length === 0,
    interruptSettled: ({ context }) => context.runningCalls.length === 0 && context.processesStopped,
    turnCancelled: ({ context }) => context.outcomes.some((outcome) => outcome.cancelTurn),
    isRunningCall: ({ context, event }) =>
      event.type.startsWith('xstate.done.actor.') && context.runningCalls.includes((event as DoneActorEvent<ToolCallOutcome, string>).actorId),
  },
  actions: {
    publishStart: enqueueActions(({ context, enqueue, self }) => {
      const started = context.startedAtMs;
      const userItem = userMessageItem(context.userMessageId, context.userInput, started);
      const done = context.clock.nowMs();
      const start = turnStarted(context.threadId, runningTurn(context.turnId, Math.floor(started / 1000)));
      if (context.compactOnly) return publish(enqueue, self, start);
      publish(enqueue, self, start, itemStarted(context, userItem, started), itemCompleted(context, { ...userItem, completedAtMs: done }, done));
    }),
    commitPrepared: enqueueActions(({ context, enqueue, self }, prepared: PreparedTurn) =>
      commit(enqueue, self, context, [...prepared.contextItems, prepared.userItem]),
    ),
    itemAdded: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.outputItemAdded') return;
      const item = newStreamingItem(event.data.itemType, event.data.itemId, context.clock.nowMs());
      if (!item || context.streaming[item.id]) return;
      enqueue.assign({ streaming: { ...context.streaming, [item.id]: item } });
      publish(enqueue, self, itemStarted(context, item, item.startedAtMs ?? context.clock.nowMs()));
    }),
    textDeltas: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.outputTextDeltas') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'agentMessage') return;
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, text: open.text + event.data.deltas.join('') } } });
      publish(enqueue, self, ...event.data.deltas.map((delta) => agentMessageDelta(context, open.id, delta)));
    }),
    summaryPartAdded: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.reasoningSummaryPartAdded') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'reasoning') return;
      const summary = withTextAt(open.summary, event.data.summaryIndex, '');
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, summary } } });
      publish(enqueue, self, summaryPartAdded(context, open.id, event.data.summaryIndex));
    }),
    summaryDelta: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.reasoningSummaryTextDelta') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'reasoning') return;
      const summary = withTextAt(open.summary, event.data.summaryIndex, event.data.delta);
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, summary } } });
      publish(enqueue, self, summaryTextDelta(context, open.id, event.data.delta, event.data.summaryIndex));
    }),
    reasoningDelta: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.reasoningTextDelta') return;
      const open = context.streaming[event.data.itemId];
      if (open?.type !== 'reasoning') return;
      const content = withTextAt(open.content, event.data.contentIndex, event.data.delta);
      enqueue.assign({ streaming: { ...context.streaming, [open.id]: { ...open, content } } });
      publish(enqueue, self, reasoningTextDelta(context, open.id, event.data.delta, event.data.contentIndex));
    }),
    /** A finished output item: messages and reasoning complete their items; calls queue up. */
    itemDone: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'model.outputItemDone') return;
      const done = event.data.item;
      const call = toolCallOf(done);
      enqueue.assign({ round: [...context.round, done], pendingCalls: call ? [...context.pendingCalls, call] : context.pendingCalls });
      if (call) return;
      const now = context.clock.nowMs();
      const id = itemIdOf(done) ?? `${context.turnId}-item-${context.round.length}`;
      const existing = context.streaming[id];
      const opened = existing ?? newStreamingItem(done.type, id, now);
      if (!opened) return;
      if (!existing) publish(enqueue, self, itemStarted(context, opened, now));
      const item = finishStreamingItem(opened, done, now);
      const { [id]: _closed, ...streaming } = context.streaming;
      enqueue.assign({ streaming, lastAgentMessage: item.type === 'agentMessage' ? item : context.lastAgentMessage });
      publish(enqueue, self, itemCompleted(context, item, now));
    }),
    /** Streaming items of a request that will not finish are completed with what arrived. */
    closeStreaming: enqueueActions(({ context, enqueue, self }) => {
      const now = context.clock.nowMs();
      for (const open of Object.values(context.streaming)) publish(enqueue, self, itemCompleted(context, finishStreamingItem(open, null, now), now));
      enqueue.assign({ streaming: {} });
    }),
    /** A retried request starts from scratch, so this attempt's output is dropped. */
    discardRound: assign({ round: [], pendingCalls: [] }),
    publishRetry: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type === 'model.retrying') publish(enqueue, self, turnErrorEvent(context, turnError(event.data.message), true));
    }),
    /** Usage is counted when a response completes, ... */
    recordUsage: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'model.completed' || !event.data.usage) return;
      enqueue.assign({
        usageTotal: addUsage(context.usageTotal, event.data.usage),
        usageLast: event.data.usage,
        usagePending: true,
        // The response's own items join the conversation next (commitRound), so the count covers them.
        contextMeasure: measureOf(event.data.usage, context.history.length + context.added.length + context.round.length),
      });
    }),
    /** A compaction opens its item; the summary request runs while it is open. */
    startCompaction: enqueueActions(({ context, enqueue, self }) => {
      const item = contextCompactionItem(`${context.turnId}-compaction-${context.compactions + 1}`, context.clock.nowMs());
      enqueue.assign({ compaction: item, compactions: context.compactions + 1 });
      publish(enqueue, self, itemStarted(context, item, item.startedAtMs ?? context.clock.nowMs()));
    }),
    markLengthRejection: assign({ retriedAfterRejection: true }),
    /** The compacted conversation replaces the old one, here and (told at once) in the session and the rollout. */
    applyCompaction: enqueueActions(({ context, enqueue, self }, result: CompactionResult) => {
      const usageTotal = result.usage ? addUsage(context.usageTotal, result.usage) : context.usageTotal;
      enqueue.assign({
        history: result.history,
        added: [],
        compacted: true,
        contextMeasure: null,
        usageTotal,
        ...(result.usage ? { usageLast: result.usage, usagePending: true } : {}),
      });
      if (self._parent) {
        enqueue.sendParent({ type: 'conversation.compacted', turnId: context.turnId, summary: result.summary, history: result.history, usageTotal });
      }
      closeCompaction(enqueue, self, context);
      publish(enqueue, self, threadCompacted(context));
    }),
    /** A compaction that failed or was interrupted still completes its item. */
    abandonCompaction: enqueueActions(({ context, enqueue, self }) => closeCompaction(enqueue, self, context)),
    /** ... and reported once the response's tool calls have settled, before the next request or the turn's end; the turn's diff is repeated after it, as the reference does. */
    publishUsage: enqueueActions(({ context, enqueue, self }) => {
      if (!context.usagePending || !context.usageLast) return;
      enqueue.assign({ usagePending: false });
      publish(
        enqueue,
        self,
        tokenUsage(context, { total: context.usageTotal, last: context.usageLast, modelContextWindow: context.settings.modelContextWindow }),
      );
      if (context.turnDiff !== null) publish(enqueue, self, diffUpdated(context, context.turnDiff));
    }),
    /** A finished response joins the conversation; its calls then run (their outputs follow when all are done). */
    commitRound: enqueueActions(({ context, enqueue, self }) => commit(enqueue, self, context, context.round, { round: [] })),
    fail: enqueueActions(({ context, enqueue, self }, error: TurnError) => {
      enqueue.assign({ status: 'failed', error });
      publish(enqueue, self, turnErrorEvent(context, error, false));
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
            clock: context.clock,
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
    /** What a call's machines publish passes on unread. */
    forward: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, ...event.events);
    }),
    itemOpened: assign({
      openToolItems: ({ context, event }) =>
        event.type === 'call.itemStarted' ? { ...context.openToolItems, [event.item.id]: event.item } : context.openToolItems,
    }),
    itemClosed: assign({
      openToolItems: ({ context, event }) => {
        if (event.type !== 'call.itemCompleted') return context.openToolItems;
        const { [event.itemId]: _closed, ...open } = context.openToolItems;
        return open;
      },
    }),
    /** The thread waits on the user while any call does. */
    approvalAwaited: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'call.awaitingApproval') return;
      enqueue.assign({ awaitedApprovals: [...context.awaitedApprovals, event.approvalId] });
      if (context.awaitedApprovals.length === 0) report(enqueue, self, { type: 'turn.waitingOnApproval', waiting: true });
    }),
    approvalSettled: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'call.approvalSettled' || !context.awaitedApprovals.includes(event.approvalId)) return;
      const awaited = context.awaitedApprovals.filter((id) => id !== event.approvalId);
      enqueue.assign({ awaitedApprovals: awaited });
      if (awaited.length === 0) report(enqueue, self, { type: 'turn.waitingOnApproval', waiting: false });
    }),
    diffChanged: assign({ turnDiff: ({ context, event }) => (event.type === 'call.diffChanged' ? event.diff : context.turnDiff) }),
    stoppedProcesses: assign({ processesStopped: true }),
    /**
     * The last word of the turn. Anything a call left open (it cannot, by its own tests,
     * but a crashed call could) is closed here, so clients never wait forever.
     */
    publishCompletion: enqueueActions(({ context, enqueue, self }) => {
      const now = context.clock.nowMs();
      for (const approvalId of context.awaitedApprovals) publish(enqueue, self, approvalResolved(context.threadId, approvalId));
      for (const open of Object.values(context.openToolItems)) {
        const item = 'status' in open ? ({ ...open, status: 'failed', completedAtMs: now } as ThreadItem) : open;
        publish(enqueue, self, itemCompleted(context, item, now));
      }
      // The session marks the thread idle first, so idle comes just before the completion.
      report(enqueue, self, { type: 'turn.finishing' });
      publish(enqueue, self, turnCompleted(context.threadId, completed(context)));
      enqueue.assign({ awaitedApprovals: [], openToolItems: {} });
    }),
  },
}).createMachine({
  id: 'turn',
  context: ({ input }) => ({
    ...input,
    startedAtMs: input.clock.nowMs(),
    added: [],
    round: [],
    pendingCalls: [],
    streaming: {},
    openToolItems: {},
    runningCalls: [],
    outcomes: [],
    awaitedApprovals: [],
    grants: [],
    lastAgentMessage: null,
    usageLast: null,
    usagePending: false,
    turnDiff: null,
    status: 'completed',
    error: null,
    processesStopped: false,
    compaction: null,
    compactions: 0,
    retriedAfterRejection: false,
    compacted: false,
  }),
  entry: 'publishStart',
  on: {
    relay: { actions: 'forward' },
    'call.itemStarted': { actions: 'itemOpened' },
    'call.itemCompleted': { actions: 'itemClosed' },
    'call.awaitingApproval': { actions: 'approvalAwaited' },
    'call.approvalSettled': { actions: 'approvalSettled' },
    'call.diffChanged': { actions: 'diffChanged' },
  },
  initial: 'starting',
  states: {
    /** A turn that only compacts goes straight to it. */
    starting: {
      always: [{ guard: 'compactOnly', target: 'compacting' }, { target: 'preparing' }],
    },
    /** Turn the user's input and the environment into conversation items. */
    preparing: {
      invoke: {
        id: 'prepareTurn',
        src: 'prepareTurn',
        input: ({ context }) => ({ settings: context.settings, history: context.history, userInput: context.userInput }),
        onDone: { target: 'checkingContext', actions: { type: 'commitPrepared', params: ({ event }) => event.output } },
        onError: { target: 'finishing', actions: { type: 'fail', params: ({ event }) => turnError(`could not prepare the turn: ${String(event.error)}`) } },
      },
      on: { interrupt: { target: 'interrupting', actions: 'markInterrupted' } },
    },
    /** Before each request: compact first when it would reach the limit. */
    checkingContext: {
      always: [{ guard: 'overCompactLimit', target: 'compacting' }, { target: 'sampling' }],
    },
    /** A separate request asks for a handoff summary; the conversation is then replaced by it and the recent user messages. */
    compacting: {
      entry: 'startCompaction',
      invoke: {
        id: 'compact',
        src: 'compact',
        input: ({ context }) => ({ threadId: context.threadId, settings: context.settings, input: conversationOf(context) }),
        onDone: [
          { guard: 'compactOnly', target: 'finishing', actions: { type: 'applyCompaction', params: ({ event }) => event.output } },
          { target: 'sampling', actions: { type: 'applyCompaction', params: ({ event }) => event.output } },
        ],
        onError: {
          target: 'finishing',
          actions: [
            'abandonCompaction',
            { type: 'fail', params: ({ event }) => turnError(`could not compact the conversation: ${errorMessage(event.error)}`) },
          ],
        },
      },
      on: { interrupt: { target: 'interrupting', actions: ['abandonCompaction', 'markInterrupted'] } },
    },
    /** One model request streams; its items are published as they arrive. */
    sampling: {
      invoke: {
        id: 'model',
        src: 'model',
        input: ({ context }) => ({ threadId: context.threadId, settings: context.settings, input: conversationOf(context) }),
      },
      on: {
        'model.outputItemAdded': { actions: 'itemAdded' },
        'model.outputTextDeltas': { actions: 'textDeltas' },
        'model.reasoningSummaryPartAdded': { actions: 'summaryPartAdded' },
        'model.reasoningSummaryTextDelta': { actions: 'summaryDelta' },
        'model.reasoningTextDelta': { actions: 'reasoningDelta' },
        'model.outputItemDone': { actions: 'itemDone' },
        'model.retrying': { actions: ['closeStreaming', 'discardRound', 'publishRetry'] },
        'model.completed': [
          { guard: 'hasPendingCalls', target: 'dispatching', actions: ['closeStreaming', 'recordUsage', 'commitRound'] },
          { target: 'finishing', actions: ['closeStreaming', 'recordUsage', 'commitRound'] },
        ],
        'model.failed': [
          // Too long for the model: compact once and send the request again.
          { guard: 'firstLengthRejection', target: 'compacting', actions: ['closeStreaming', 'discardRound', 'markLengthRejection'] },
          { target: 'finishing', actions: ['closeStreaming', 'discardRound', { type: 'fail', params: ({ event }) => event.data.error }] },
        ],
        interrupt: { target: 'interrupting', actions: ['closeStreaming', 'discardRound', 'markInterrupted'] },
      },
    },
    /** The calls of one response run side by side; their outputs go back in call order. */
    dispatching: {
      entry: 'spawnCalls',
      on: {
        'xstate.done.actor.*': { guard: 'isRunningCall', actions: 'recordOutcome' },
        interrupt: { target: 'interrupting', actions: ['interruptCalls', 'markInterrupted'] },
      },
      always: [
        { guard: 'turnCancelled', target: 'interrupting', actions: ['interruptCalls', 'markInterrupted'] },
        { guard: 'allCallsSettled', target: 'checkingContext', actions: ['publishUsage', 'commitOutcomes'] },
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
      on: { 'xstate.done.actor.*': { guard: 'isRunningCall', actions: 'recordOutcome' } },
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
    turn: completed(context),
    added: context.added,
    compactedHistory: context.compacted ? context.history : null,
    contextMeasure: context.contextMeasure,
    usageTotal: context.usageTotal,
    grants: context.grants,
  }),
});
