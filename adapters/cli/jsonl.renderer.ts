import type { Observable } from 'rxjs';
import type {
  ExecJsonEvent,
  ExecJsonItem,
  PlanStep,
  ProtocolEvent,
  ThreadItem,
  TokenUsageBreakdown,
} from '../../protocol/index.js';
import { addUsage, emptyUsage } from '../../protocol/index.js';

/**
 * Translates protocol events into the `exec --json` lines: snake_case items numbered
 * item_0, item_1, ... in order of appearance, a todo_list for plan updates, and the
 * turn's token usage at its end.
 */
export class ExecJsonTranslator {
  private readonly ids = new Map<string, string>();
  private announced = false;
  private planItemId: string | null = null;
  private planSteps: PlanStep[] = [];
  /** What this turn's model responses used, summed (a resumed thread's total includes older turns). */
  private turnUsage: TokenUsageBreakdown = emptyUsage();

  /** The JSONL events one protocol event becomes (often none). */
  translate(event: ProtocolEvent): ExecJsonEvent[] {
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
        this.turnUsage = emptyUsage();
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
        this.turnUsage = addUsage(this.turnUsage, event.params.tokenUsage.last);
        return [];
      case 'error':
        return [{ type: 'error', message: event.params.error.message }];
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
    // The user's own message is not an exec event, and takes no number.
    if (item.type === 'userMessage') return null;
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
          status: starting ? 'in_progress' : item.status === 'inProgress' ? 'in_progress' : item.status,
        };
      case 'fileChange':
        return {
          id,
          type: 'file_change',
          changes: item.changes.map((change) => ({ path: change.path, kind: change.kind.type })),
          status: starting ? 'in_progress' : item.status === 'inProgress' ? 'in_progress' : item.status,
        };
      case 'mcpToolCall':
        return {
          id,
          type: 'mcp_tool_call',
          server: item.server,
          tool: item.tool,
          status: starting ? 'in_progress' : item.status === 'inProgress' ? 'in_progress' : item.status,
        };
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
      const usage = this.turnUsage;
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

/** Writes the JSONL form of a session's events, one object per line. */
export function renderJsonl(events$: Observable<ProtocolEvent>, write: (line: string) => void) {
  const translator = new ExecJsonTranslator();
  return events$.subscribe((event) => {
    for (const out of translator.translate(event)) write(`${JSON.stringify(out)}\n`);
  });
}
