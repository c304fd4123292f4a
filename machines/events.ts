/**
 * Every protocol event the machines publish, and the items and turns inside them, is built
 * here, so each wire field (and each piece of filler the reference's clients expect) is
 * written once. Machines decide when; these functions decide what the event looks like.
 */
import {
  PlainApprovalDecision,
  type AgentMessageItem,
  type ApprovalDecision,
  type ApprovalRequest,
  type CodexErrorInfo,
  type CommandAction,
  type ContextCompactionItem,
  type CommandExecutionItem,
  type ElicitationQuestion,
  type McpStartupState,
  type FileChangeItem,
  type FileUpdateChange,
  type McpToolCallItem,
  type PlanStep,
  type ProtocolEvent,
  type ProtocolEventOf,
  type ReasoningItem,
  type ResponseItem,
  type Thread,
  type ThreadItem,
  type ThreadStatus,
  type ThreadTokenUsage,
  type Turn,
  type TurnError,
  type TurnStatus,
  type UserInput,
  type UserMessageItem,
  type WebSearchAction,
  type WebSearchItem,
} from '../protocol/index.js';

/** The turn an event belongs to (any object with these fields: only they are copied). */
export interface TurnRef {
  threadId: string;
  turnId: string;
}

// ── items ────────────────────────────────────────────────────────────────────

export const userMessageItem = (id: string, content: UserInput[], startedAtMs: number): UserMessageItem => ({
  type: 'userMessage',
  id,
  clientId: null,
  content,
  startedAtMs,
  completedAtMs: null,
});

export const agentMessageItem = (id: string, startedAtMs: number): AgentMessageItem => ({
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
});

export const reasoningItem = (id: string, startedAtMs: number): ReasoningItem => ({
  type: 'reasoning',
  id,
  summary: [],
  content: [],
  startedAtMs,
  completedAtMs: null,
});

/** How a command is shown to the client. */
export interface CommandView {
  command: string;
  cwd: string;
  commandActions: CommandAction[];
}

/** A command's item as it starts: before it is asked about or spawned. */
export const commandItem = (id: string, view: CommandView, interaction: boolean, startedAtMs: number): CommandExecutionItem => ({
  type: 'commandExecution',
  id,
  pluginId: null,
  scriptPath: null,
  command: view.command,
  cwd: view.cwd,
  processId: null,
  source: interaction ? 'unifiedExecInteraction' : 'unifiedExecStartup',
  status: 'inProgress',
  commandActions: view.commandActions,
  aggregatedOutput: null,
  exitCode: null,
  durationMs: null,
  startedAtMs,
  completedAtMs: null,
});

/** A patch's item as it starts: every change shown before anything is written. */
export const fileChangeItem = (id: string, changes: FileUpdateChange[], startedAtMs: number): FileChangeItem => ({
  type: 'fileChange',
  id,
  changes,
  status: 'inProgress',
  startedAtMs,
  completedAtMs: null,
});

/** An MCP tool call's item as it starts: which server, which tool, with what arguments. */
export const mcpToolCallItem = (id: string, server: string, tool: string, args: unknown, startedAtMs: number): McpToolCallItem => ({
  type: 'mcpToolCall',
  id,
  server,
  tool,
  arguments: args,
  status: 'inProgress',
  result: null,
  error: null,
  durationMs: null,
  startedAtMs,
  completedAtMs: null,
});

/** The question about an MCP tool call, asked the way a command is: what runs (server, tool, arguments) and where. */
export const mcpApprovalRequest = (
  item: { ref: TurnRef; itemId: string; startedAtMs: number },
  call: { server: string; tool: string; arguments: unknown },
  cwd: string,
): ApprovalRequest =>
  commandApprovalRequest(
    item,
    { command: `${call.server}.${call.tool}(${JSON.stringify(call.arguments)})`, cwd, commandActions: [] },
    {
      reason: `MCP server ${call.server} would run its tool ${call.tool}, which is not marked read-only`,
      proposedAmendment: null,
      availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'],
    },
    null,
  );

/** An MCP server's question to the user, with where it comes from: the thread, the turn running (if any) and the server. */
export const elicitationRequest = (threadId: string, turnId: string | null, serverName: string, question: ElicitationQuestion): ApprovalRequest => ({
  method: 'mcpServer/elicitation/request',
  params: { ...question, threadId, turnId, serverName },
});

/** A text field of a provider's item, when it is one. */
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The provider's action (snake_case type names) as the thread item's. */
function actionOf(raw: unknown): WebSearchAction {
  const action = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  switch (action.type) {
    case 'search': {
      const queries = Array.isArray(action.queries) ? action.queries.filter((query): query is string => typeof query === 'string') : null;
      return { type: 'search', query: text(action.query), ...(queries ? { queries } : {}) };
    }
    case 'open_page':
      return { type: 'openPage', url: text(action.url) };
    case 'find_in_page':
      return { type: 'findInPage', url: text(action.url), pattern: text(action.pattern) };
    default:
      return { type: 'other' };
  }
}

/**
 * A hosted web search as a thread item. While it runs nothing is known of it (the reference
 * reports an empty query and an `other` action); once done, its query is the search's query,
 * or the page it opened.
 */
export function webSearchItem(id: string, done: ResponseItem | null): Omit<WebSearchItem, 'startedAtMs' | 'completedAtMs'> {
  if (!done) return { type: 'webSearch', id, query: '', action: { type: 'other' } };
  const action = actionOf((done as { action?: unknown }).action);
  const query = action.type === 'search' ? (action.query ?? action.queries?.join(' ') ?? '') : action.type === 'other' ? '' : (action.url ?? '');
  return { type: 'webSearch', id, query, action };
}

// ── turns ────────────────────────────────────────────────────────────────────

/** A compaction of the conversation, open until the summary is in. */
export const contextCompactionItem = (id: string, startedAtMs: number): ContextCompactionItem => ({
  type: 'contextCompaction',
  id,
  startedAtMs,
  completedAtMs: null,
});

export const threadCompacted = (ref: TurnRef): ProtocolEvent => ({ method: 'thread/compacted', params: { threadId: ref.threadId, turnId: ref.turnId } });

export const turnError = (message: string, codexErrorInfo: CodexErrorInfo | null = null): TurnError => ({
  message,
  codexErrorInfo,
  additionalDetails: null,
});

/** A turn as `turn/started` shows it. */
export const runningTurn = (turnId: string, startedAt: number): Turn => ({
  id: turnId,
  rootTurnId: turnId,
  items: [],
  itemsView: 'notLoaded',
  status: 'inProgress',
  error: null,
  startedAt,
  completedAt: null,
  durationMs: null,
});

/** A turn as the answer to `turn/start` shows it: accepted, not yet started. */
export const acceptedTurn = (turnId: string): Turn => ({ ...runningTurn(turnId, 0), startedAt: null });

/** A turn as `turn/completed` shows it, with the last agent message as its summary. */
export const finishedTurn = (
  turnId: string,
  end: { status: Exclude<TurnStatus, 'inProgress'>; error: TurnError | null; lastAgentMessage: AgentMessageItem | null; startedAtMs: number; nowMs: number },
): Turn => ({
  id: turnId,
  rootTurnId: turnId,
  items: end.lastAgentMessage ? [end.lastAgentMessage] : [],
  itemsView: 'summary',
  status: end.status,
  error: end.error,
  startedAt: Math.floor(end.startedAtMs / 1000),
  completedAt: Math.floor(end.nowMs / 1000),
  durationMs: end.nowMs - end.startedAtMs,
});

// ── notifications ────────────────────────────────────────────────────────────

export const threadStarted = (thread: Thread): ProtocolEvent => ({ method: 'thread/started', params: { thread } });

export const threadStatus = (threadId: string, status: ThreadStatus): ProtocolEvent => ({ method: 'thread/status/changed', params: { threadId, status } });

/** The thread runs a turn; `waiting` while a call waits on the user. */
export const activeStatus = (waiting: boolean): ThreadStatus => ({ type: 'active', activeFlags: waiting ? ['waitingOnApproval'] : [] });

export const turnStarted = (threadId: string, turn: Turn): ProtocolEvent => ({ method: 'turn/started', params: { threadId, turn } });

export const turnCompleted = (threadId: string, turn: Turn): ProtocolEvent => ({ method: 'turn/completed', params: { threadId, turn } });

export const itemStarted = (ref: TurnRef, item: ThreadItem, atMs: number): ProtocolEvent => ({
  method: 'item/started',
  params: { item, threadId: ref.threadId, turnId: ref.turnId, startedAtMs: atMs },
});

export const itemCompleted = (ref: TurnRef, item: ThreadItem, atMs: number): ProtocolEvent => ({
  method: 'item/completed',
  params: { item, threadId: ref.threadId, turnId: ref.turnId, contentTokenCount: null, completedAtMs: atMs },
});

export const agentMessageDelta = (ref: TurnRef, itemId: string, delta: string): ProtocolEvent => ({
  method: 'item/agentMessage/delta',
  params: { threadId: ref.threadId, turnId: ref.turnId, itemId, delta },
});

export const reasoningTextDelta = (ref: TurnRef, itemId: string, delta: string, contentIndex: number): ProtocolEvent => ({
  method: 'item/reasoning/textDelta',
  params: { threadId: ref.threadId, turnId: ref.turnId, itemId, delta, contentIndex },
});

export const summaryTextDelta = (ref: TurnRef, itemId: string, delta: string, summaryIndex: number): ProtocolEvent => ({
  method: 'item/reasoning/summaryTextDelta',
  params: { threadId: ref.threadId, turnId: ref.turnId, itemId, delta, summaryIndex },
});

export const summaryPartAdded = (ref: TurnRef, itemId: string, summaryIndex: number): ProtocolEvent => ({
  method: 'item/reasoning/summaryPartAdded',
  params: { threadId: ref.threadId, turnId: ref.turnId, itemId, summaryIndex },
});

export const commandOutputDelta = (ref: TurnRef, itemId: string, delta: string): ProtocolEvent => ({
  method: 'item/commandExecution/outputDelta',
  params: { threadId: ref.threadId, turnId: ref.turnId, itemId, delta },
});

export const planUpdated = (ref: TurnRef, explanation: string | null, plan: PlanStep[]): ProtocolEvent => ({
  method: 'turn/plan/updated',
  params: { threadId: ref.threadId, turnId: ref.turnId, explanation, plan },
});

export const diffUpdated = (ref: TurnRef, diff: string): ProtocolEvent => ({
  method: 'turn/diff/updated',
  params: { threadId: ref.threadId, turnId: ref.turnId, diff },
});

export const tokenUsage = (ref: TurnRef, usage: ThreadTokenUsage): ProtocolEvent => ({
  method: 'thread/tokenUsage/updated',
  params: { threadId: ref.threadId, turnId: ref.turnId, tokenUsage: usage },
});

/** Something the user should know that stops nothing, as the reference's warning notification. */
export const warning = (threadId: string, message: string): ProtocolEvent => ({ method: 'warning', params: { threadId, message } });

/** Where one of the thread's MCP servers is in its start. */
export const mcpStartupStatus = (threadId: string, name: string, status: McpStartupState, error: string | null): ProtocolEvent => ({
  method: 'mcpServer/startupStatus/updated',
  params: { threadId, name, status, error },
});

export const turnErrorEvent = (ref: TurnRef, error: TurnError, willRetry: boolean): ProtocolEvent => ({
  method: 'error',
  params: { error, willRetry, threadId: ref.threadId, turnId: ref.turnId },
});

// ── approvals ────────────────────────────────────────────────────────────────

/** The question sent to the client, with the risk assessment when there is one. */
export const approvalRequested = (
  approvalId: string,
  request: ApprovalRequest,
  risk: ProtocolEventOf<'item/commandExecution/requestApproval'>['params']['risk'],
): ProtocolEvent => {
  switch (request.method) {
    case 'item/commandExecution/requestApproval':
      return { method: request.method, approvalId, params: { ...request.params, risk } };
    case 'item/fileChange/requestApproval':
      return { method: request.method, approvalId, params: request.params };
    case 'mcpServer/elicitation/request':
      return { method: request.method, approvalId, params: request.params };
  }
};

export const approvalResolved = (threadId: string, approvalId: string): ProtocolEvent => ({
  method: 'serverRequest/resolved',
  approvalId,
  params: { threadId },
});

/** What the exec policy said when it chose to ask. */
export interface AskVerdict {
  reason: string | null;
  proposedAmendment: string[] | null;
  availableDecisions: ApprovalDecision[];
}

/** The question about a command: what runs where, why, and what the user may answer. */
export const commandApprovalRequest = (
  item: { ref: TurnRef; itemId: string; startedAtMs: number },
  view: CommandView,
  verdict: AskVerdict | null,
  justification: string | null,
): ApprovalRequest => ({
  method: 'item/commandExecution/requestApproval',
  params: {
    kind: 'command',
    threadId: item.ref.threadId,
    turnId: item.ref.turnId,
    itemId: item.itemId,
    startedAtMs: item.startedAtMs,
    environmentId: 'local',
    reason: verdict?.reason ?? justification,
    command: view.command,
    cwd: view.cwd,
    commandActions: view.commandActions,
    proposedExecpolicyAmendment: verdict?.proposedAmendment ?? null,
    availableDecisions: verdict?.availableDecisions ?? ['accept', 'decline', 'cancel'],
    risk: null,
  },
});

/** The question about a patch; its changes were shown when its item started. */
export const patchApprovalRequest = (
  item: { ref: TurnRef; itemId: string; startedAtMs: number },
  reason: string | null,
  grantRoot: string | null,
): ApprovalRequest => ({
  method: 'item/fileChange/requestApproval',
  params: { threadId: item.ref.threadId, turnId: item.ref.turnId, itemId: item.itemId, startedAtMs: item.startedAtMs, reason, grantRoot },
});

/** The question asked again after the sandbox refused a command: run it without the sandbox? */
export const sandboxRetryVerdict = (denial: string | null): AskVerdict => ({
  reason: `The sandbox blocked this command${denial ? ` (${denial})` : ''}. Run it again without the sandbox?`,
  proposedAmendment: null,
  availableDecisions: [...PlainApprovalDecision.options],
});
