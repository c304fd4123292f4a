/**
 * The live inspector's fan-out: every page gets its own bounded queue of Server-Sent Events, so a
 * page that reads slowly (or a connection that stalls) costs memory only up to its bound and
 * never holds up the runtime or the other pages. Past the bound a page loses trace frames (and is
 * told how many, where they were lost); the frames it must not lose (protocol events, actors
 * joining, threads appearing) are still queued up to a hard limit, past which the page is
 * disconnected: its EventSource reconnects and starts over from the thread's history.
 */

/** Where one page's events go: an HTTP response, or a stand-in in tests. */
export interface Sink {
  /** Writes a chunk; false when the connection's buffer is full (wait for `onDrain`). */
  write(chunk: string): boolean;
  onDrain(listener: () => void): void;
  close(): void;
}

/** One trace record, serialised once for every page. */
export interface RecordFrame {
  thread: string;
  json: string;
  /** Whether a page that fell behind may lose it: state and event records may, protocol events and actors may not. */
  droppable: boolean;
}

type Entry =
  | { kind: 'record'; frame: RecordFrame }
  /** Where a page lost frames: so many, of this thread, here. */
  | { kind: 'dropped'; thread: string; count: number; ts: number }
  | { kind: 'message'; event: string; json: string };

export interface FanoutLimits {
  /** Entries queued behind a full connection past which trace frames are dropped. */
  capacity: number;
  /** Entries queued behind a full connection past which the page is disconnected. */
  hardLimit: number;
}

/** One SSE message: an event name and its data (one line of JSON). */
const message = (event: string, data: string): string => `event: ${event}\ndata: ${data}\n\n`;

class PageQueue {
  private queue: Entry[] = [];
  private waiting = false;
  private scheduled = false;
  private closed = false;
  /** Frames this page has lost, over its life. */
  dropped = 0;

  constructor(
    private readonly sink: Sink,
    private readonly limits: FanoutLimits,
    private readonly onClose: (page: PageQueue) => void,
  ) {}

  offer(entry: Entry): void {
    if (this.closed) return;
    // The bounds apply while the connection is full: until then the queue is written out at the next turn of the event loop.
    if (this.waiting && entry.kind === 'record' && entry.frame.droppable && this.queue.length >= this.limits.capacity) {
      this.dropped++;
      const last = this.queue.at(-1);
      if (last?.kind === 'dropped' && last.thread === entry.frame.thread) last.count++;
      else this.queue.push({ kind: 'dropped', thread: entry.frame.thread, count: 1, ts: Date.now() });
      return;
    }
    if (this.waiting && this.queue.length >= this.limits.hardLimit) {
      this.close();
      return;
    }
    this.queue.push(entry);
    this.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.sink.close();
    this.onClose(this);
  }

  /** Writes once per turn of the event loop, all that is queued, records of one thread in one message. */
  private schedule(): void {
    if (this.scheduled || this.waiting) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed || this.waiting || this.queue.length === 0) return;
    const entries = this.queue;
    this.queue = [];
    let chunk = '';
    let thread: string | null = null;
    let records: string[] = [];
    const flushRecords = () => {
      if (thread !== null) chunk += message('records', `{"thread":${JSON.stringify(thread)},"records":[${records.join(',')}]}`);
      thread = null;
      records = [];
    };
    for (const entry of entries) {
      if (entry.kind === 'message') {
        flushRecords();
        chunk += message(entry.event, entry.json);
        continue;
      }
      const owner = entry.kind === 'record' ? entry.frame.thread : entry.thread;
      if (owner !== thread) flushRecords();
      thread = owner;
      records.push(entry.kind === 'record' ? entry.frame.json : JSON.stringify({ k: 'dropped', ts: entry.ts, count: entry.count }));
    }
    flushRecords();
    if (this.sink.write(chunk)) return;
    this.waiting = true;
    this.sink.onDrain(() => {
      this.waiting = false;
      this.pump();
    });
  }
}

/** The pages connected to one live inspector, each with its own bounded queue. */
export class BoundedFanout {
  private readonly pages = new Set<PageQueue>();

  constructor(
    private readonly limits: FanoutLimits,
    /** Told when the last page has gone (so the inspector stops watching the threads). */
    private readonly onEmpty: () => void = () => {},
  ) {}

  get size(): number {
    return this.pages.size;
  }

  /** Connects a page; `remove` (or the fan-out, when the page falls too far behind) disconnects it. */
  add(sink: Sink): { dropped(): number; remove(): void } {
    const page = new PageQueue(sink, this.limits, (gone) => {
      if (this.pages.delete(gone) && this.pages.size === 0) this.onEmpty();
    });
    this.pages.add(page);
    return { dropped: () => page.dropped, remove: () => page.close() };
  }

  record(frame: RecordFrame): void {
    for (const page of this.pages) page.offer({ kind: 'record', frame });
  }

  /** A message every page must get (a thread appeared, say), queued like a protocol event. */
  message(event: string, data: unknown): void {
    const json = JSON.stringify(data);
    for (const page of this.pages) page.offer({ kind: 'message', event, json });
  }

  closeAll(): void {
    for (const page of [...this.pages]) page.close();
  }
}
