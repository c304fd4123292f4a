/**
 * Bounded text capture: keeps the first half of the budget and the most recent half,
 * counting what fell out in between, so a command printing gigabytes costs a fixed
 * amount of memory.
 */
export class HeadTailBuffer {
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  private total = 0;
  private newlines = 0;
  private endsWithNewline = true;

  constructor(readonly capacity: number) {}

  /** Characters seen in total (kept or not). */
  get length(): number {
    return this.total;
  }

  /** Lines seen in total; a last line without a newline counts too. */
  get lines(): number {
    return this.newlines + (this.endsWithNewline ? 0 : 1);
  }

  push(text: string): void {
    if (text.length === 0) return;
    this.total += text.length;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) this.newlines++;
    this.endsWithNewline = text.endsWith('\n');
    const headBudget = Math.floor(this.capacity / 2);
    if (this.head.length < headBudget) {
      const take = headBudget - this.head.length;
      this.head += text.slice(0, take);
      text = text.slice(take);
      if (text.length === 0) return;
    }
    const tailBudget = this.capacity - headBudget;
    this.tail.push(text);
    this.tailLength += text.length;
    while (this.tailLength > tailBudget) {
      const first = this.tail[0]!;
      const excess = this.tailLength - tailBudget;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailLength -= first.length;
      } else {
        this.tail[0] = first.slice(excess);
        this.tailLength -= excess;
      }
    }
  }

  /**
   * The text within `limit` characters: all of it when it fits, otherwise the start and
   * the end around a marker line saying how much was left out (worded by `marker`).
   */
  render(limit: number = this.capacity, marker: (omitted: number) => string = truncationMarker): { text: string; truncated: boolean; omitted: number } {
    const budget = Math.max(2, Math.min(Math.floor(limit), this.capacity));
    const tail = this.tail.join('');
    if (this.total <= budget) return { text: this.head + tail, truncated: false, omitted: 0 };
    const keepHead = Math.floor(budget / 2);
    const keepTail = budget - keepHead;
    let headPart: string;
    let tailPart: string;
    if (this.head.length + tail.length === this.total) {
      const whole = this.head + tail;
      headPart = whole.slice(0, keepHead);
      tailPart = whole.slice(whole.length - keepTail);
    } else {
      headPart = this.head.slice(0, keepHead);
      tailPart = tail.slice(tail.length - keepTail);
    }
    headPart = trimBrokenEnd(headPart);
    tailPart = trimBrokenStart(tailPart);
    const omitted = this.total - headPart.length - tailPart.length;
    const joinHead = headPart.endsWith('\n') || headPart.length === 0 ? '' : '\n';
    return { text: `${headPart}${joinHead}${marker(omitted)}\n${tailPart}`, truncated: true, omitted };
  }
}

const truncationMarker = (omitted: number) => `…${omitted} characters truncated…`;

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Drop half of a surrogate pair cut off at the end. */
function trimBrokenEnd(text: string): string {
  return text.length > 0 && isHigh(text.charCodeAt(text.length - 1)) ? text.slice(0, -1) : text;
}

/** Drop half of a surrogate pair cut off at the start. */
function trimBrokenStart(text: string): string {
  return text.length > 0 && isLow(text.charCodeAt(0)) ? text.slice(1) : text;
}

/** Seconds as the reference prints them: one decimal, no trailing ".0". */
export const wallSeconds = (ms: number) => String(Math.round(ms / 100) / 10);

export type ModelStatus = { kind: 'exited'; exitCode: number | null } | { kind: 'running'; sessionId: number };

/** The text the model reads for one call: status, wall time, then (possibly shortened) output. */
export function modelText(status: ModelStatus, wallMs: number, output: HeadTailBuffer, limitChars: number, note?: string): string {
  const rendered = output.render(limitChars);
  const lines = [
    status.kind === 'exited' ? `Exit code: ${status.exitCode ?? 'unknown'}` : `Process running with session ID ${status.sessionId}`,
    `Wall time: ${wallSeconds(wallMs)} seconds`,
  ];
  if (note) lines.push(note);
  if (rendered.truncated) lines.push(`Total output lines: ${output.lines}`);
  lines.push('Output:', rendered.text);
  return lines.join('\n');
}
