import type { Writable } from 'node:stream';
import { OutputBacklog, type Overflow } from '../shared/index.js';
import { idJson, NumericIdText } from './incoming.js';

/** Any message the server writes: response, notification or server request. */
export type OutgoingMessage = Record<string, unknown>;

export interface OutboxOptions {
  /** Above this many queued messages, streaming deltas start being merged. */
  coalesceAbove?: number;
  /** Characters of one command's output that may wait for the client before its middle is dropped. */
  outputBacklogChars?: number;
  log?: (line: string) => void;
}

export interface OutboxStats {
  /** Messages waiting for the writable. */
  queued: number;
  /** Lines handed to the writable. */
  written: number;
  /** Delta notifications folded into an earlier queued one (or into an overflow). */
  coalesced: number;
}

interface Entry {
  message: OutgoingMessage;
  /** The serialized line; cleared when a merge changes the message. */
  line: string | undefined;
  /** Position in the overall send order; larger is later. */
  seq: number;
  /** The delta merge key (see deltaKey), worked out once. */
  key: string | undefined;
  written: boolean;
  /** For command output: the stream it belongs to and the characters it holds against that stream's backlog. */
  output?: { stream: string; cost: number };
  /** Command output that came while the client lagged too far behind, written as start, marker and end. */
  overflow?: Overflow;
}

const OUTPUT_DELTA = 'item/commandExecution/outputDelta';
/** What a queued delta holds besides its text (keys, ids, the entry itself), counted against the backlog. */
const ENTRY_OVERHEAD_CHARS = 256;

const DEFAULT_COALESCE_ABOVE = 2000;

/** One message as a JSON line; an id kept as the client's text goes out as that very text. */
const toLine = (message: OutgoingMessage): string => {
  const id = message['id'];
  if (!(id instanceof NumericIdText)) return `${JSON.stringify(message)}\n`;
  const { id: _id, ...rest } = message;
  const body = JSON.stringify(rest);
  return `{"id":${idJson(id)}${body === '{}' ? '}' : `,${body.slice(1)}`}\n`;
};

/**
 * The merge key of a streaming delta notification, or undefined for anything else
 * (responses, server requests, lifecycle notifications), which is never merged.
 */
export const deltaKey = (message: OutgoingMessage): string | undefined => {
  const method = message['method'];
  if (typeof method !== 'string' || 'id' in message) return undefined;
  if (!method.endsWith('Delta') && !method.endsWith('/delta')) return undefined;
  const params = message['params'];
  if (typeof params !== 'object' || params === null) return undefined;
  const p = params as Record<string, unknown>;
  if (typeof p['delta'] !== 'string' || typeof p['itemId'] !== 'string') return undefined;
  return JSON.stringify([method, p['threadId'] ?? null, p['itemId'], p['contentIndex'] ?? null, p['summaryIndex'] ?? null]);
};

/**
 * A non-blocking line writer. `send` never waits: when the writable asks us to hold off,
 * messages wait here in order. Once the backlog passes `coalesceAbove`, a new delta is
 * appended to the text of the latest queued delta for the same item, provided only other
 * deltas were queued after that one, so no message ever moves across a non-delta message.
 *
 * Command output is bounded besides: once an item's unwritten output passes
 * `outputBacklogChars`, the rest goes into one overflow entry that keeps its start and end
 * and counts what it drops. That entry takes all the item's later output, even what
 * arrives after other messages, until it is written; the item's own completion always
 * comes later, so the client still sees every delta between item/started and item/completed.
 */
export class Outbox {
  private readonly queue: Entry[] = [];
  private head = 0;
  private seq = 0;
  /** seq of the latest queued non-delta message; deltas may not merge across it. */
  private barrier = -1;
  private readonly latestDelta = new Map<string, Entry>();
  private blocked = false;
  /** Lines taken from the queue, written together at the end of this turn of the event loop. */
  private batch: string[] = [];
  private batchChars = 0;
  private batchScheduled = false;
  private dead = false;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private readonly coalesceAbove: number;
  private readonly log: (line: string) => void;
  private readonly counters = { written: 0, coalesced: 0 };
  private readonly backlog: OutputBacklog;

  constructor(
    private readonly output: Writable,
    options: OutboxOptions = {},
  ) {
    this.coalesceAbove = options.coalesceAbove ?? DEFAULT_COALESCE_ABOVE;
    this.log = options.log ?? (() => {});
    this.backlog = new OutputBacklog(options.outputBacklogChars);
    output.on('error', (err: Error) => {
      this.log(`output error, dropping further messages: ${err.message}`);
      this.kill();
    });
    output.on('close', () => this.kill());
  }

  get stats(): OutboxStats {
    return { queued: this.queue.length - this.head, ...this.counters };
  }

  /**
   * Queues one message (written as one JSON line). Throws only when the message cannot be
   * serialized, before anything is queued, so the caller can answer with an error instead.
   */
  send(message: OutgoingMessage): void {
    const key = deltaKey(message);
    let output: Entry['output'];
    if (key !== undefined && message['method'] === OUTPUT_DELTA && !this.dead) {
      const delta = (message['params'] as Record<string, unknown>)['delta'] as string;
      output = { stream: key, cost: delta.length + ENTRY_OVERHEAD_CHARS };
      const admission = this.backlog.admit(key, delta, output.cost);
      if (admission.kind === 'absorbed') {
        this.counters.coalesced += 1;
        return;
      }
      if (admission.kind === 'overflow') {
        // Later output of the item must not merge into a delta queued before the overflow.
        this.latestDelta.delete(key);
        this.enqueue({ message, line: undefined, seq: this.seq, key, written: false, overflow: admission.overflow });
        return;
      }
    }
    const line = toLine(message);
    if (this.dead) return;
    const entry: Entry = { message, line, seq: this.seq, key, written: false, ...(output ? { output } : {}) };
    if (key !== undefined && this.queue.length - this.head > this.coalesceAbove && this.merge(key, message, output)) return;
    if (key === undefined) this.barrier = entry.seq;
    else this.latestDelta.set(key, entry);
    this.enqueue(entry);
  }

  /** Resolves once every message sent so far has been accepted and flushed by the writable. */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private enqueue(entry: Entry): void {
    this.seq += 1;
    this.queue.push(entry);
    this.flush();
  }

  private merge(key: string, message: OutgoingMessage, output: Entry['output']): boolean {
    const target = this.latestDelta.get(key);
    if (target === undefined || target.written || target.seq < this.barrier) return false;
    const old = target.message['params'] as Record<string, unknown>;
    const extra = (message['params'] as Record<string, unknown>)['delta'] as string;
    target.message = { ...target.message, params: { ...old, delta: `${old['delta'] as string}${extra}` } };
    target.line = undefined;
    if (target.output && output) target.output.cost += output.cost;
    this.counters.coalesced += 1;
    return true;
  }

  /** The line of an entry about to be written, settling its output bookkeeping. */
  private lineOf(entry: Entry, key: string | undefined): string {
    if (entry.output) this.backlog.written(entry.output.stream, entry.output.cost);
    if (entry.overflow && key !== undefined) {
      const params = entry.message['params'] as Record<string, unknown>;
      return toLine({ ...entry.message, params: { ...params, delta: this.backlog.release(key, entry.overflow) } });
    }
    return entry.line ?? toLine(entry.message);
  }

  private flush(): void {
    if (!this.blocked && !this.dead && this.output.writableNeedDrain) this.waitForDrain();
    while (!this.blocked && !this.dead && this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      this.head += 1;
      entry.written = true;
      const key = entry.key;
      if (key !== undefined && this.latestDelta.get(key) === entry) this.latestDelta.delete(key);
      const line = this.lineOf(entry, key);
      // Written entries stay in the array until the next compaction: keep nothing large in them.
      entry.message = {};
      entry.line = undefined;
      delete entry.overflow;
      this.batch.push(line);
      this.batchChars += line.length;
      this.counters.written += 1;
      // A batch as large as the writable's buffer goes now, and asks it whether to pause.
      if (this.batchChars >= this.output.writableHighWaterMark) this.writeBatch();
    }
    if (this.batch.length > 0 && !this.batchScheduled) {
      this.batchScheduled = true;
      setImmediate(() => {
        this.batchScheduled = false;
        this.writeBatch();
      });
    }
    this.compact();
    this.settle();
  }

  /**
   * Writes the lines taken from the queue as one chunk: a stream of deltas would otherwise
   * cost a system call each. A batch goes out when it fills the writable's buffer or at the
   * end of this turn of the event loop, so the writable's answer (pause or go on) comes as
   * often as it would line by line, and batching alone never makes deltas merge.
   */
  private writeBatch(): void {
    const text = this.batch.join('');
    this.batch = [];
    this.batchChars = 0;
    if (this.dead || text === '') return this.settle();
    this.inFlight += 1;
    let ok: boolean;
    try {
      ok = this.output.write(text, () => {
        this.inFlight -= 1;
        this.settle();
      });
    } catch (err) {
      this.inFlight -= 1;
      this.log(`output write failed: ${(err as Error).message}`);
      this.kill();
      return;
    }
    if (!ok) this.waitForDrain();
  }

  private waitForDrain(): void {
    this.blocked = true;
    this.output.once('drain', () => {
      this.blocked = false;
      this.flush();
    });
  }

  /** Drops the already written prefix of the queue now and then, so it does not grow forever. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private idle(): boolean {
    return this.dead || (this.head >= this.queue.length && this.batch.length === 0 && this.inFlight === 0);
  }

  private settle(): void {
    if (!this.idle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.queue.length = 0;
    this.head = 0;
    this.batch = [];
    this.batchChars = 0;
    this.latestDelta.clear();
    this.backlog.clear();
    this.settle();
  }
}
