import type { Observable, Subscription } from 'rxjs';
import type { ExecJsonEvent, ExecJsonItem, PlanStep, ProtocolEvent, ThreadItem, TokenUsageBreakdown } from '../../protocol/index.js';
import { emptyUsage, type CommandExecutionStatus, type WebSearchAction } from '../../protocol/index.js';

/** A web search's action with the snake_case type names of the JSONL. */
const execJsonAction = (action: WebSearchAction) => {
  switch (action.type) {
    case 'openPage':
      return { ...action, type: 'open_page' as const };
    case 'findInPage':
      return { ...action, type: 'find_in_page' as const };
    default:
      return action;
  }
};

/**
 * A command's or patch's status as the Codex SDK types it (in_progress, completed, failed):
 * one the user declined after it was shown did not succeed, so it failed.
 */
const execJsonStatus = (status: CommandExecutionStatus, starting: boolean) =>
  starting || status === 'inProgress' ? ('in_progress' as const) : status === 'declined' ? ('failed' as const) : status;

/**
 * Translates protocol events into the `exec --json` lines: snake_case items numbered
 * item_0, item_1, ... in order of appearance, a todo_list for plan updates, and the
 * thread's token usage at the turn's end.
 */
export class ExecJsonTranslator {
  private readonly ids = new Map<string, string>();
  private announced = false;
  private planItemId: string | null = null;
  private planSteps: PlanStep[] = [];
  /**
   * The thread's usage so far: what `turn.completed` reports, as Codex does (after a resume
   * it includes the recorded turns, which the resumed thread reports before its turn starts).
   */
  private threadUsage: TokenUsageBreakdown = emptyUsage();
  /**
   * Commands and patches that have started but are not printed yet. Codex prints nothing for
   * one refused without running (declined as it starts, in the same burst of events), so a
   * start waits until something else is printed or the burst is over (see `release`).
   */
  private held: ThreadItem[] = [];

  /** The JSONL events one protocol event becomes (often none). */
  translate(event: ProtocolEvent): ExecJsonEvent[] {
    if (event.method === 'item/started' && (event.params.item.type === 'commandExecution' || event.params.item.type === 'fileChange')) {
      this.held.push(event.params.item);
      return [];
    }
    if (event.method === 'item/completed' && event.params.item.type !== 'userMessage' && this.held.some(({ id }) => id === event.params.item.id)) {
      const { item } = event.params;
      if ((item.type === 'commandExecution' || item.type === 'fileChange') && item.status === 'declined') {
        this.held = this.held.filter(({ id }) => id !== item.id);
        return [];
      }
    }
    const now = this.translateNow(event);
    return now.length > 0 ? [...this.release(), ...now] : now;
  }

  /** Whether starts are held back, to be printed by `release` once the current burst of events is over. */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** The held starts, in the order they happened. */
  release(): ExecJsonEvent[] {
    const held = this.held;
    this.held = [];
    return held.flatMap((started) => {
      const item = this.toJsonItem(started, true);
      return item ? [{ type: 'item.started' as const, item }] : [];
    });
  }

  private translateNow(event: ProtocolEvent): ExecJsonEvent[] {
    switch (event.method) {
      case 'thread/started':
        this.announced = true;
        return [{ type: 'thread.started', thread_id: event.params.thread.id }];
      case 'thread/status/changed':
        // A resumed thread is not started again; its first status change is where it begins.
        if (this.announced) return [];
        this.announced = true;
        return [{ type: 'thread.started', thread_id: event.params.threadId }];
      case 'turn/started':
        this.planItemId = null;
        return [{ type: 'turn.started' }];
      case 'item/started': {
        const item = this.toJsonItem(event.params.item, true);
        return item && item.type !== 'agent_message' && item.type !== 'reasoning' ? [{ type: 'item.started', item }] : [];
      }
      case 'item/completed': {
        const item = this.toJsonItem(event.params.item, false);
        return item ? [{ type: 'item.completed', item }] : [];
      }
      case 'turn/plan/updated':
        return this.planEvents(event.params.plan);
      case 'thread/tokenUsage/updated':
        this.threadUsage = event.params.tokenUsage.total;
        return [];
      case 'error':
        return [{ type: 'error', message: event.params.error.message }];
      case 'warning':
        // Codex reports its warnings as error items, which the SDK lists among the turn's items.
        return [{ type: 'item.completed', item: { id: this.idFor(`warning:${this.ids.size}`), type: 'error', message: event.params.message } }];
      case 'turn/completed':
        return this.turnEnd(event.params.turn.status, event.params.turn.error?.message ?? null);
      default:
        return [];
    }
  }

  private idFor(key: string): string {
    let id = this.ids.get(key);
    if (!id) {
      id = `item_${this.ids.size}`;
      this.ids.set(key, id);
    }
    return id;
  }

  private toJsonItem(item: ThreadItem, starting: boolean): ExecJsonItem | null {
    // The user's own message is not an exec event, and takes no number; nor is a compaction (Codex's exec has no item for it).
    if (item.type === 'userMessage' || item.type === 'contextCompaction') return null;
    const id = this.idFor(item.id);
    switch (item.type) {
      case 'agentMessage':
        return { id, type: 'agent_message', text: item.text };
      case 'reasoning':
        return { id, type: 'reasoning', text: [...item.summary, ...item.content].join('\n\n') };
      case 'commandExecution':
        return {
          id,
          type: 'command_execution',
          command: item.command,
          aggregated_output: item.aggregatedOutput ?? '',
          exit_code: item.exitCode,
          status: execJsonStatus(item.status, starting),
        };
      case 'fileChange':
        return {
          id,
          type: 'file_change',
          // Sorted by path, as Codex lists them whatever order the patch had.
          changes: item.changes
            .map((change) => ({ path: change.path, kind: change.kind.type }))
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
          status: execJsonStatus(item.status, starting),
        };
      case 'mcpToolCall':
        return {
          id,
          type: 'mcp_tool_call',
          server: item.server,
          tool: item.tool,
          arguments: item.arguments,
          ...(item.result && !starting ? { result: { content: item.result.content, structured_content: item.result.structuredContent ?? null } } : {}),
          ...(item.error && !starting ? { error: item.error } : {}),
          status: starting ? 'in_progress' : item.status === 'inProgress' ? 'in_progress' : item.status,
        };
      case 'webSearch':
        return { id, type: 'web_search', query: item.query, action: item.action && execJsonAction(item.action) };
    }
  }

  private planEvents(plan: PlanStep[]): ExecJsonEvent[] {
    this.planSteps = plan;
    const first = this.planItemId === null;
    if (first) this.planItemId = this.idFor(`plan:${this.ids.size}`);
    const item: ExecJsonItem = {
      id: this.planItemId!,
      type: 'todo_list',
      items: plan.map((step) => ({ text: step.step, completed: step.status === 'completed' })),
    };
    return [{ type: first ? 'item.started' : 'item.updated', item }];
  }

  private turnEnd(status: string, errorMessage: string | null): ExecJsonEvent[] {
    const events: ExecJsonEvent[] = [];
    if (this.planItemId) {
      events.push({
        type: 'item.completed',
        item: {
          id: this.planItemId,
          type: 'todo_list',
          items: this.planSteps.map((step) => ({ text: step.step, completed: step.status === 'completed' })),
        },
      });
    }
    if (status === 'completed') {
      const usage = this.threadUsage;
      events.push({
        type: 'turn.completed',
        usage: {
          input_tokens: usage.inputTokens,
          cached_input_tokens: usage.cachedInputTokens,
          cache_write_input_tokens: usage.cacheWriteInputTokens,
          output_tokens: usage.outputTokens,
          reasoning_output_tokens: usage.reasoningOutputTokens,
        },
      });
    } else {
      events.push({ type: 'turn.failed', error: { message: errorMessage ?? `turn ${status}` } });
    }
    return events;
  }
}

/** Writes the JSONL form of a session's events, one object per line, until unsubscribed. */
export function renderJsonl(events$: Observable<ProtocolEvent>, write: (line: string) => void): Subscription {
  const translator = new ExecJsonTranslator();
  const print = (events: ExecJsonEvent[]) => {
    for (const out of events) write(`${JSON.stringify(out)}\n`);
  };
  let release: NodeJS.Immediate | null = null;
  const subscription = events$.subscribe((event) => {
    print(translator.translate(event));
    // A refusal completes its item in the same burst as its start; once the burst is over, a held start is printed.
    if (translator.holding && release === null) {
      release = setImmediate(() => {
        release = null;
        print(translator.release());
      });
    }
  });
  subscription.add(() => {
    if (release !== null) clearImmediate(release);
  });
  return subscription;
}
