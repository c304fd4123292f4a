import { assign, enqueueActions, sendTo, setup } from 'xstate';
import {
  emptyUsage,
  type ApprovalDecision,
  type ResponseItem,
  type Thread,
  type ThreadOverrides,
  type ThreadSettings,
  type TokenUsageBreakdown,
  type TurnError,
  type TurnOverrides,
  type UserInput,
} from '../protocol/index.js';
import { nowSeconds, publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { turnMachine, type ConversationCommitted, type TurnOutput } from './turn.machine.js';
import { promiseActor } from './unprovided.js';

/** A stored conversation to continue (thread/resume). */
export interface ResumedState {
  history: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
  /** The last recorded turn and what it used, reported again when the thread is loaded. */
  lastTurn: { turnId: string; usage: TokenUsageBreakdown } | null;
}

export interface SessionInput {
  threadId: string;
  overrides: ThreadOverrides;
  resumed: ResumedState | null;
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
  | { type: 'turn.interrupt' }
  | { type: 'approval.decide'; approvalId: string; decision: ApprovalDecision }
  | { type: 'thread.close' }
  | RelayEvent
  | ConversationCommitted;

export interface SessionOutput {
  /** Set when the thread could not be configured. */
  error: TurnError | null;
}

type TurnStart = Extract<SessionEvent, { type: 'turn.start' }>;

interface SessionContext extends SessionInput {
  settings: ThreadSettings | null;
  thread: Thread | null;
  warnings: string[];
  history: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
  grants: string[];
  pendingApprovals: string[];
  currentTurn: TurnStart | null;
  closeRequested: boolean;
  error: TurnError | null;
}

const firstText = (input: UserInput[]): string =>
  input.find((part): part is Extract<UserInput, { type: 'text' }> => part.type === 'text')?.text ?? '';

/** Settings a turn changes stay changed for the turns after it. */
export const applyTurnOverrides = (settings: ThreadSettings, overrides: TurnOverrides): ThreadSettings => {
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

/**
 * One thread: configure once, then run turns one at a time, carrying the conversation,
 * token usage and "accept for session" grants from turn to turn, until it is closed.
 */
export const sessionMachine = setup({
  types: {
    input: {} as SessionInput,
    output: {} as SessionOutput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
    /** Protocol events for clients; the running turn's committed conversation for the rollout. */
    emitted: {} as ProtocolEmitted | ConversationCommitted,
  },
  actors: {
    configure: promiseActor<ConfiguredThread, SessionInput>('configure'),
    turn: turnMachine,
    shutdown: promiseActor<void, { threadId: string }>('shutdown'),
  },
  guards: {
    isPendingApproval: ({ context, event }) =>
      event.type === 'approval.decide' && context.pendingApprovals.includes(event.approvalId),
    closeRequested: ({ context }) => context.closeRequested,
  },
  actions: {
    configured: assign((_, configured: ConfiguredThread) => ({
      settings: configured.settings,
      thread: configured.thread,
      warnings: configured.warnings ?? [],
    })),
    configureFailed: assign({
      error: (_, { error }: { error: unknown }) => ({
        message: error instanceof Error ? error.message : String(error),
        codexErrorInfo: 'configuration',
        additionalDetails: null,
      }),
    }),
    /** A new thread is announced; a resumed one reports its status and the usage it had so far. Warnings follow. */
    publishStarted: enqueueActions(({ context, enqueue, self }) => {
      if (!context.thread || !context.settings) return;
      const warnings = context.warnings.map((message) => ({ method: 'warning' as const, params: { threadId: context.threadId, message } }));
      if (!context.resumed) {
        publish(enqueue, self, { method: 'thread/started', params: { thread: context.thread } }, ...warnings);
        return;
      }
      publish(enqueue, self, { method: 'thread/status/changed', params: { threadId: context.threadId, status: { type: 'idle' } } });
      const { lastTurn } = context.resumed;
      if (lastTurn) {
        publish(enqueue, self, {
          method: 'thread/tokenUsage/updated',
          params: {
            threadId: context.threadId,
            turnId: lastTurn.turnId,
            tokenUsage: { total: context.usageTotal, last: lastTurn.usage, modelContextWindow: context.settings.modelContextWindow },
          },
        });
      }
      publish(enqueue, self, ...warnings);
    }),
    beginTurn: assign(({ context, event }) => {
      if (event.type !== 'turn.start' || !context.settings || !context.thread) return {};
      const preview = context.thread.preview || firstText(event.input);
      return {
        currentTurn: event,
        settings: applyTurnOverrides(context.settings, event.overrides),
        thread: { ...context.thread, preview, updatedAt: nowSeconds() },
      };
    }),
    endTurn: assign(({ context }, output: TurnOutput) => ({
      history: [...context.history, ...output.added],
      usageTotal: output.usageTotal,
      grants: [...context.grants, ...output.grants],
      currentTurn: null,
      pendingApprovals: [],
    })),
    /** A crashed turn still gets its completion, so clients are never left waiting. */
    publishTurnCrash: enqueueActions(({ context, enqueue, self }, { error }: { error: unknown }) => {
      if (!context.currentTurn) return;
      const message = `internal error in the turn: ${error instanceof Error ? error.message : String(error)}`;
      const now = nowSeconds();
      publish(
        enqueue,
        self,
        { method: 'thread/status/changed', params: { threadId: context.threadId, status: { type: 'idle' } } },
        {
          method: 'turn/completed',
          params: {
            threadId: context.threadId,
            turn: {
              id: context.currentTurn.turnId,
              rootTurnId: context.currentTurn.turnId,
              items: [],
              itemsView: 'summary',
              status: 'failed',
              error: { message, codexErrorInfo: 'internal', additionalDetails: null },
              startedAt: now,
              completedAt: now,
              durationMs: 0,
            },
          },
        },
      );
      enqueue.assign({ currentTurn: null, pendingApprovals: [] });
    }),
    republish: enqueueActions(({ context, enqueue, self, event }) => {
      if (event.type !== 'relay') return;
      const relayed = event.event;
      if (relayed.method === 'item/commandExecution/requestApproval' || relayed.method === 'item/fileChange/requestApproval') {
        enqueue.assign({ pendingApprovals: [...context.pendingApprovals, relayed.approvalId] });
      } else if (relayed.method === 'serverRequest/resolved') {
        enqueue.assign({ pendingApprovals: context.pendingApprovals.filter((id) => id !== relayed.approvalId) });
      }
      publish(enqueue, self, relayed);
    }),
    recordConversation: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'conversation.committed') enqueue.emit(event);
    }),
    requestClose: assign({ closeRequested: true }),
    interruptTurn: sendTo('turn', { type: 'interrupt' }),
    forwardDecision: sendTo('turn', ({ event }) => event),
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
    grants: [],
    pendingApprovals: [],
    currentTurn: null,
    closeRequested: false,
    error: null,
  }),
  initial: 'configuring',
  states: {
    /** Config layers, settings and the thread record. */
    configuring: {
      invoke: {
        id: 'configure',
        src: 'configure',
        input: ({ context }) => ({ threadId: context.threadId, overrides: context.overrides, resumed: context.resumed }),
        onDone: { target: 'ready', actions: [{ type: 'configured', params: ({ event }) => event.output }, 'publishStarted'] },
        onError: { target: 'closed', actions: { type: 'configureFailed', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    /** Idle, waiting for the next turn. */
    ready: {
      on: {
        'turn.start': { target: 'running', actions: 'beginTurn' },
        'thread.close': 'closing',
      },
    },
    /** One turn at a time; interrupts and approval decisions are routed to it. */
    running: {
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
        }),
        onDone: [
          { guard: 'closeRequested', target: 'closing', actions: { type: 'endTurn', params: ({ event }) => event.output } },
          { target: 'ready', actions: { type: 'endTurn', params: ({ event }) => event.output } },
        ],
        onError: [
          { guard: 'closeRequested', target: 'closing', actions: { type: 'publishTurnCrash', params: ({ event }) => ({ error: event.error }) } },
          { target: 'ready', actions: { type: 'publishTurnCrash', params: ({ event }) => ({ error: event.error }) } },
        ],
      },
      on: {
        relay: { actions: 'republish' },
        'conversation.committed': { actions: 'recordConversation' },
        'turn.interrupt': { actions: 'interruptTurn' },
        'approval.decide': { guard: 'isPendingApproval', actions: 'forwardDecision' },
        'thread.close': { actions: ['requestClose', 'interruptTurn'] },
      },
    },
    /** Kill what the thread left running (exec sessions) and flush what it wrote. */
    closing: {
      invoke: {
        id: 'shutdown',
        src: 'shutdown',
        input: ({ context }) => ({ threadId: context.threadId }),
        onDone: 'closed',
        onError: 'closed',
      },
    },
    closed: { type: 'final' },
  },
  output: ({ context }) => ({ error: context.error }),
});

