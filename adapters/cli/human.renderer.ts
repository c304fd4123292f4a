import type { Observable } from 'rxjs';
import { addUsage, emptyUsage, type PlanStep, type ProtocolEvent, type ThreadItem, type TokenUsageBreakdown } from '../../protocol/index.js';

export interface HumanOutput {
  /** The transcript: agent text, commands, plans, usage. */
  write: (text: string) => void;
  /** A command's output, styled by `style` when written; a slow reader may get its middle left out. */
  output: (itemId: string, text: string, style: (text: string) => string) => void;
  /** Warnings and notices that are not part of the transcript. */
  warn: (text: string) => void;
  color: boolean;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** Added and removed line counts per file of a git-style diff. */
function diffStat(diff: string): Array<{ path: string; added: number; removed: number }> {
  const files: Array<{ path: string; added: number; removed: number }> = [];
  for (const line of diff.split('\n')) {
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header) files.push({ path: header[2]!, added: 0, removed: 0 });
    else if (files.length === 0 || line.startsWith('+++') || line.startsWith('---')) continue;
    else if (line.startsWith('+')) files.at(-1)!.added += 1;
    else if (line.startsWith('-')) files.at(-1)!.removed += 1;
  }
  return files;
}

const planMark: Record<PlanStep['status'], string> = { completed: '✓', inProgress: '→', pending: '•' };

/**
 * Renders a session's events for a person reading a terminal: text as it streams,
 * each command with its output, plan updates, and a token-usage line at the end.
 */
class HumanRenderer {
  /** Whether the transcript currently ends in the middle of a line. */
  private midLine = false;
  /** What this turn's model responses used, summed (a resumed thread's total includes older turns). */
  private usage: TokenUsageBreakdown | null = null;
  /** The turn's latest diff, summarised when the turn ends. */
  private turnDiff: string | null = null;
  private readonly streamedCommandOutput = new Set<string>();

  constructor(private readonly out: HumanOutput) {}

  render(event: ProtocolEvent): void {
    switch (event.method) {
      case 'turn/started':
        this.usage = null;
        this.turnDiff = null;
        return;
      case 'turn/diff/updated':
        this.turnDiff = event.params.diff;
        return;
      case 'item/started':
        this.itemStarted(event.params.item);
        return;
      case 'item/agentMessage/delta':
        this.text(event.params.delta);
        return;
      case 'item/reasoning/summaryTextDelta':
        this.text(paint(this.out.color, '2;3', event.params.delta));
        return;
      case 'item/commandExecution/outputDelta':
        this.streamedCommandOutput.add(event.params.itemId);
        if (!event.params.delta) return;
        this.out.output(event.params.itemId, event.params.delta, (text) => paint(this.out.color, '2', text));
        this.midLine = !event.params.delta.endsWith('\n');
        return;
      case 'item/completed':
        this.itemCompleted(event.params.item);
        return;
      case 'turn/plan/updated':
        this.line(paint(this.out.color, '1', 'Plan') + (event.params.explanation ? `: ${event.params.explanation}` : ''));
        for (const step of event.params.plan) this.line(`  ${planMark[step.status]} ${step.step}`);
        return;
      case 'thread/tokenUsage/updated':
        this.usage = addUsage(this.usage ?? emptyUsage(), event.params.tokenUsage.last);
        return;
      case 'error':
        this.endLine();
        this.out.warn(`${event.params.willRetry ? 'retrying' : 'error'}: ${event.params.error.message}\n`);
        return;
      case 'warning':
        this.out.warn(`warning: ${event.params.message}\n`);
        return;
      case 'item/commandExecution/requestApproval':
      case 'item/fileChange/requestApproval':
      case 'mcpServer/elicitation/request':
        // asked by the approval prompt, which owns the terminal while it waits
        return;
      case 'turn/completed': {
        const { turn } = event.params;
        if (turn.status !== 'completed') this.line(paint(this.out.color, '31', `turn ${turn.status}${turn.error ? `: ${turn.error.message}` : ''}`));
        if (this.turnDiff) {
          this.line(paint(this.out.color, '1', 'Files changed:'));
          for (const file of diffStat(this.turnDiff)) {
            this.line(`  ${file.path} ${paint(this.out.color, '32', `+${file.added}`)} ${paint(this.out.color, '31', `-${file.removed}`)}`);
          }
        }
        if (this.usage) {
          const u = this.usage;
          this.line(
            paint(
              this.out.color,
              '2',
              `tokens used: ${u.totalTokens} (input ${u.inputTokens}, cached ${u.cachedInputTokens}, output ${u.outputTokens}, reasoning ${u.reasoningOutputTokens})`,
            ),
          );
        }
        return;
      }
      default:
        return;
    }
  }

  private itemStarted(item: ThreadItem): void {
    if (item.type === 'commandExecution') this.line(paint(this.out.color, '1;36', `$ ${item.command}`) + paint(this.out.color, '2', `  (in ${item.cwd})`));
    if (item.type === 'reasoning') this.line(paint(this.out.color, '2;3', 'thinking…'));
    if (item.type === 'mcpToolCall') this.line(paint(this.out.color, '1;36', `⚙ ${item.server}.${item.tool}(${JSON.stringify(item.arguments)})`));
  }

  private itemCompleted(item: ThreadItem): void {
    switch (item.type) {
      case 'agentMessage':
        if (!this.midLine && item.text) this.text(item.text);
        this.endLine();
        return;
      case 'reasoning':
        this.endLine();
        return;
      case 'commandExecution': {
        if (!this.streamedCommandOutput.has(item.id) && item.aggregatedOutput) this.text(paint(this.out.color, '2', item.aggregatedOutput));
        this.endLine();
        const seconds = item.durationMs !== null ? ` in ${(item.durationMs / 1000).toFixed(1)}s` : '';
        const outcome =
          item.status === 'completed'
            ? paint(this.out.color, '32', `✓ exit ${item.exitCode ?? '(still running)'}${seconds}`)
            : item.status === 'declined'
              ? paint(this.out.color, '33', '✗ declined')
              : paint(this.out.color, '31', `✗ failed${item.exitCode !== null ? ` (exit ${item.exitCode})` : ''}${seconds}`);
        this.line(outcome);
        return;
      }
      case 'fileChange':
        for (const change of item.changes) this.line(`${change.kind.type} ${change.path}`);
        this.line(item.status === 'completed' ? paint(this.out.color, '32', '✓ patch applied') : paint(this.out.color, '31', `✗ patch ${item.status}`));
        return;
      case 'webSearch':
        this.line(paint(this.out.color, '1;36', `searched the web: ${item.query}`));
        return;
      case 'mcpToolCall': {
        const seconds = item.durationMs !== null ? ` in ${(item.durationMs / 1000).toFixed(1)}s` : '';
        this.line(
          item.status === 'completed'
            ? paint(this.out.color, '32', `✓ ${item.server}.${item.tool}${seconds}`)
            : paint(this.out.color, '31', `✗ ${item.server}.${item.tool} failed${seconds}: ${item.error?.message ?? ''}`),
        );
        return;
      }
      case 'contextCompaction':
        this.line(paint(this.out.color, '2', 'context compacted (the conversation so far is now a summary)'));
        return;
      default:
        return;
    }
  }

  private text(text: string): void {
    if (!text) return;
    this.out.write(text);
    this.midLine = !text.endsWith('\n');
  }

  private endLine(): void {
    if (this.midLine) this.out.write('\n');
    this.midLine = false;
  }

  private line(text: string): void {
    this.endLine();
    this.out.write(`${text}\n`);
  }
}

/** Renders a session's events as a readable transcript. */
export function renderHuman(events$: Observable<ProtocolEvent>, out: HumanOutput) {
  const renderer = new HumanRenderer(out);
  return events$.subscribe((event) => renderer.render(event));
}
