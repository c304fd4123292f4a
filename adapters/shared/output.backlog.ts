// Not the exec barrel: through it the app-server's start would read the process and sandbox code.
import { HeadTailBuffer } from '../../actors/exec/output.js';

/**
 * Characters of one stream's output that may wait for a slow reader before its middle is
 * dropped; also what is kept of the dropped stretch (its start and its end).
 */
const OUTPUT_BACKLOG_CHARS = 512 * 1024;

const slowReaderMarker = (omitted: number) => `[… ${omitted} characters of output omitted: the client was reading too slowly …]`;

/**
 * Output that arrived while its stream's backlog was full. It holds one place in the
 * writer's queue and takes all the stream's later output until the writer reaches it;
 * then it is written as its start, a marker saying how much was left out, and its end.
 */
export class Overflow {
  private readonly kept: HeadTailBuffer;

  constructor(capacity: number) {
    // A start and an end take a character each at least.
    this.kept = new HeadTailBuffer(Math.max(2, capacity));
  }

  push(text: string): void {
    this.kept.push(text);
  }

  text(): string {
    return this.kept.render(this.kept.capacity, slowReaderMarker).text;
  }
}

/** What to do with one piece of output: queue it, it went into an open overflow, or queue the new overflow it opened. */
export type Admission = { kind: 'queue' } | { kind: 'absorbed' } | { kind: 'overflow'; overflow: Overflow };

/**
 * The bookkeeping that keeps a writer's memory bounded whatever a command prints: per
 * stream, how much queued output the reader has not taken yet, and the open overflow once
 * that passes the budget. Streams are named by the caller (an item id, say).
 */
export class OutputBacklog {
  private readonly waiting = new Map<string, number>();
  private readonly open = new Map<string, Overflow>();

  constructor(private readonly budget: number = OUTPUT_BACKLOG_CHARS) {}

  /** Where `text` goes; `cost` is what queueing it would hold in memory (at least its length). */
  admit(stream: string, text: string, cost: number = text.length): Admission {
    const overflow = this.open.get(stream);
    if (overflow) {
      overflow.push(text);
      return { kind: 'absorbed' };
    }
    const waiting = this.waiting.get(stream) ?? 0;
    if (waiting + cost <= this.budget) {
      this.waiting.set(stream, waiting + cost);
      return { kind: 'queue' };
    }
    const opened = new Overflow(this.budget);
    opened.push(text);
    this.open.set(stream, opened);
    return { kind: 'overflow', overflow: opened };
  }

  /** Queued output of `stream` was handed to the reader. */
  written(stream: string, cost: number): void {
    const left = (this.waiting.get(stream) ?? 0) - cost;
    if (left > 0) this.waiting.set(stream, left);
    else this.waiting.delete(stream);
  }

  /** The writer reached `overflow`: its text, after which the stream's output queues afresh. */
  release(stream: string, overflow: Overflow): string {
    if (this.open.get(stream) === overflow) this.open.delete(stream);
    return overflow.text();
  }

  /** Forgets everything (the reader is gone). */
  clear(): void {
    this.waiting.clear();
    this.open.clear();
  }
}
