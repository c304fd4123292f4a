import type { FileUpdateChange, PlanStep, ProtocolEvent, ProtocolEventOf, ThreadItem, ThreadTokenUsage, Turn } from '../../protocol/index.js';
import type { ElicitationEvent } from '../shared/index.js';

export type ApprovalEvent = ProtocolEventOf<'item/commandExecution/requestApproval'> | ProtocolEventOf<'item/fileChange/requestApproval'>;

/** One block of the transcript, as the screen shows it. */
export type Entry =
  | { kind: 'user'; id: string; text: string }
  | { kind: 'agent'; id: string; text: string }
  | { kind: 'reasoning'; id: string; text: string; expanded?: boolean }
  | {
      kind: 'command';
      id: string;
      command: string;
      cwd: string;
      status: 'inProgress' | 'completed' | 'failed' | 'declined';
      exitCode: number | null;
      durationMs: number | null;
      output: string;
      /** Shown whole (Ctrl+O), not folded. */
      expanded?: boolean;
    }
  | { kind: 'patch'; id: string; changes: FileUpdateChange[]; status: string }
  | { kind: 'plan'; id: string; explanation: string | null; steps: PlanStep[] }
  | { kind: 'diff'; id: string; diff: string }
  | { kind: 'compaction'; id: string; done: boolean }
  | { kind: 'notice'; id: string; tone: 'info' | 'warning' | 'error'; text: string };

/** The running turn, for the status bar's spinner and elapsed time. */
export interface RunningTurn {
  id: string;
  startedAtMs: number;
}

/**
 * What the screen shows, folded from a thread's events: finished entries (append-only, so
 * they can be printed once), the entries still changing, the approvals waiting for an answer.
 */
export interface TranscriptState {
  done: Entry[];
  live: Entry[];
  approvals: ApprovalEvent[];
  /** MCP servers' questions waiting for an answer. */
  elicitations: ElicitationEvent[];
  turn: RunningTurn | null;
  usage: ThreadTokenUsage | null;
  /** The latest diff of the workspace against the start of the last turn that changed it. */
  diff: string | null;
}

export const emptyTranscript = (): TranscriptState => ({ done: [], live: [], approvals: [], elicitations: [], turn: null, usage: null, diff: null });

let noticeCounter = 0;
/** A notice the UI itself adds (a slash command's answer, an error of its own). */
export const notice = (tone: 'info' | 'warning' | 'error', text: string): Entry => ({ kind: 'notice', id: `notice-${++noticeCounter}`, tone, text });

const userText = (item: Extract<ThreadItem, { type: 'userMessage' }>) =>
  item.content.map((input) => (input.type === 'text' ? input.text : input.type === 'localImage' ? `[image ${input.path}]` : `[${input.type}]`)).join('\n');

/** The entry a thread item stands for, or null for items the transcript does not show. */
function entryOf(item: ThreadItem): Entry | null {
  switch (item.type) {
    case 'userMessage':
      return { kind: 'user', id: item.id, text: userText(item) };
    case 'agentMessage':
      return { kind: 'agent', id: item.id, text: item.text };
    case 'reasoning':
      return { kind: 'reasoning', id: item.id, text: item.summary.join('\n\n') };
    case 'commandExecution':
      return {
        kind: 'command',
        id: item.id,
        command: item.command,
        cwd: item.cwd,
        status: item.status,
        exitCode: item.exitCode,
        durationMs: item.durationMs,
        output: item.aggregatedOutput ?? '',
      };
    case 'fileChange':
      return { kind: 'patch', id: item.id, changes: item.changes, status: item.status };
    case 'contextCompaction':
      return { kind: 'compaction', id: item.id, done: item.completedAtMs !== null };
    default:
      return null;
  }
}

/** A command as the user thinks of it: the script, without the `bash -lc '...'` the runtime wraps it in. */
export function displayCommand(command: string): string {
  const wrapped = /^\S*\/?(?:bash|sh|zsh) -l?c '([^']*)'$/.exec(command);
  return wrapped ? wrapped[1]! : command;
}

/** The entries of a recorded thread's turns, for a resumed session's history. */
export function historyEntries(turns: Turn[]): Entry[] {
  return turns.flatMap((turn) => turn.items.map(entryOf).filter((entry): entry is Entry => entry !== null));
}

/**
 * Applies one event to the state, in place (the store publishes copies at its own pace).
 * A 20,000-delta answer costs one string append per delta here.
 */
export function applyEvent(state: TranscriptState, event: ProtocolEvent): void {
  const live = (id: string) => state.live.find((entry) => entry.id === id);
  const finish = (id: string, entry: Entry | null) => {
    state.live = state.live.filter((candidate) => candidate.id !== id);
    if (entry) state.done.push(entry);
  };
  switch (event.method) {
    case 'turn/started':
      state.turn = { id: event.params.turn.id, startedAtMs: Date.now() };
      return;
    case 'turn/completed': {
      const { turn } = event.params;
      for (const entry of state.live) state.done.push(entry);
      state.live = [];
      state.turn = null;
      state.approvals = [];
      state.elicitations = [];
      if (turn.status === 'interrupted') state.done.push(notice('warning', 'turn interrupted'));
      else if (turn.status === 'failed') state.done.push(notice('error', `turn failed: ${turn.error?.message ?? 'unknown error'}`));
      return;
    }
    case 'item/started': {
      const entry = entryOf(event.params.item);
      if (!entry) return;
      // The user's message is final as it starts.
      if (entry.kind === 'user') state.done.push(entry);
      else state.live.push(entry);
      return;
    }
    case 'item/completed':
      // The user's message was final from its start and is shown already.
      if (event.params.item.type !== 'userMessage') finish(event.params.item.id, entryOf(event.params.item));
      return;
    case 'item/agentMessage/delta':
    case 'item/reasoning/summaryTextDelta':
    case 'item/commandExecution/outputDelta': {
      const entry = live(event.params.itemId);
      if (entry?.kind === 'agent' || entry?.kind === 'reasoning') entry.text += event.params.delta;
      else if (entry?.kind === 'command') entry.output += event.params.delta;
      return;
    }
    case 'item/reasoning/summaryPartAdded': {
      const entry = live(event.params.itemId);
      if (entry?.kind === 'reasoning' && entry.text) entry.text += '\n\n';
      return;
    }
    case 'turn/plan/updated':
      state.done.push({ kind: 'plan', id: `plan-${++noticeCounter}`, explanation: event.params.explanation, steps: event.params.plan });
      return;
    case 'turn/diff/updated':
      state.diff = event.params.diff;
      return;
    case 'thread/tokenUsage/updated':
      state.usage = event.params.tokenUsage;
      return;
    case 'error':
      state.done.push(notice(event.params.willRetry ? 'warning' : 'error', `${event.params.willRetry ? 'retrying: ' : ''}${event.params.error.message}`));
      return;
    case 'warning':
      state.done.push(notice('warning', event.params.message));
      return;
    case 'item/commandExecution/requestApproval':
    case 'item/fileChange/requestApproval':
      state.approvals.push(event);
      return;
    case 'mcpServer/elicitation/request':
      state.elicitations.push(event);
      return;
    case 'serverRequest/resolved':
      state.approvals = state.approvals.filter((approval) => approval.approvalId !== event.approvalId);
      state.elicitations = state.elicitations.filter((question) => question.approvalId !== event.approvalId);
      return;
    default: {
      // A notice this UI does not know yet (a newer runtime's) is still shown, as its message.
      const { method, params } = event as { method: string; params?: { message?: unknown } };
      if (/warning|notice/i.test(method) && typeof params?.message === 'string') state.done.push(notice('warning', params.message));
      return;
    }
  }
}

/** How much of the model's context window is still free, in percent, or null before the first response. */
export function contextLeftPercent(usage: ThreadTokenUsage | null): number | null {
  if (!usage?.modelContextWindow) return null;
  const used = usage.last.inputTokens + usage.last.outputTokens;
  return Math.max(0, Math.min(100, Math.round(100 - (used / usage.modelContextWindow) * 100)));
}
