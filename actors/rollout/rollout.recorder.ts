import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Observable, Subscription } from 'rxjs';
import type { ProtocolEvent, ResponseItem, Thread, ThreadOverrides, TokenUsageBreakdown } from '../../protocol/index.js';
import type { RolloutRecordBody } from './rollout.schema.js';
import { errorMessage } from '../../protocol/index.js';

export interface RolloutMeta {
  thread: Thread;
  overrides: ThreadOverrides;
}

export interface RecorderOptions {
  /** Told about the first write failure; recording goes on regardless. */
  onError?: (message: string) => void;
  /** Clock for record timestamps (unix ms). */
  now?: () => number;
}

/** Writes a whole buffer at the handle's current position (or the end, in append mode). */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}

/** Makes a newly created directory entry durable; best effort (not every platform allows it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // ignored: the data itself is synced, only the entry might be lost on power failure
  }
}

/** Whether a non-empty file ends without a newline (a line torn by a crash). */
async function endsTorn(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/**
 * Appends a thread's records to its rollout file. Every call is queued on one promise
 * chain, so lines are written whole and in call order; item and turn boundaries are
 * followed by a datasync so a crash loses at most the item in flight. Failures never reach
 * the caller: the first is kept (see `error`) and passed to `onError`, and later records
 * are still attempted.
 */
export class RolloutRecorder {
  private chain: Promise<void> = Promise.resolve();
  private firstError: string | null = null;
  private closed = false;
  /** Set after a failed write, which may have left half a line behind. */
  private needsNewline: boolean;
  private readonly onError: ((message: string) => void) | undefined;
  private readonly now: () => number;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    options: RecorderOptions,
    needsNewline: boolean,
  ) {
    this.onError = options.onError;
    this.now = options.now ?? Date.now;
    this.needsNewline = needsNewline;
  }

  /** Creates the file (it must not exist yet) with its meta line, synced to disk. */
  static async create(path: string, meta: RolloutMeta, options: RecorderOptions = {}): Promise<RolloutRecorder> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'wx');
    const recorder = new RolloutRecorder(path, handle, options, false);
    const thread: Thread = { ...meta.thread, path, turns: [], status: { type: 'idle' } };
    try {
      await writeAll(handle, recorder.line({ type: 'meta', thread, overrides: meta.overrides }));
      await handle.datasync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw new Error(`cannot write rollout ${path}: ${errorMessage(err)}`);
    }
    await syncDir(dirname(path));
    return recorder;
  }

  /** Opens an existing rollout to append to it (a resumed thread). */
  static async reopen(path: string, options: RecorderOptions = {}): Promise<RolloutRecorder> {
    const handle = await open(path, 'a+');
    try {
      return new RolloutRecorder(path, handle, options, await endsTorn(handle));
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw new Error(`cannot reopen rollout ${path}: ${errorMessage(err)}`);
    }
  }

  /** The first write failure, if any. */
  get error(): string | null {
    return this.firstError;
  }

  /** Records the events a rollout keeps; everything else (deltas, status...) is ignored. */
  record(event: ProtocolEvent): void {
    switch (event.method) {
      case 'turn/started':
        this.enqueue({ type: 'turn_started', turn: { ...event.params.turn, items: [] } }, false);
        return;
      case 'item/completed':
        this.enqueue({ type: 'item_completed', turnId: event.params.turnId, item: event.params.item }, true);
        return;
      case 'turn/completed':
        this.enqueue({ type: 'turn_completed', turn: { ...event.params.turn, items: [] } }, true);
        return;
      default:
        return;
    }
  }

  /** Records items a turn added to the model conversation and the thread's usage total so far. */
  history(turnId: string, items: ResponseItem[], usageTotal: TokenUsageBreakdown): void {
    this.enqueue({ type: 'history', turnId, items, usageTotal }, true);
  }

  /** Records a compaction: the summary and the conversation that replaces everything before it. */
  compacted(turnId: string, message: string, replacementHistory: ResponseItem[], usageTotal: TokenUsageBreakdown): void {
    this.enqueue({ type: 'compacted', turnId, message, replacementHistory, usageTotal }, true);
  }

  /** Records every event of a stream until it ends or the subscription is dropped. */
  attach(events$: Observable<ProtocolEvent>): Subscription {
    return events$.subscribe({ next: (event) => this.record(event) });
  }

  /** Resolves once everything recorded so far is written and synced. Never rejects. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Flushes, then closes the file; later records are dropped (and reported). */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    this.chain = this.chain.then(async () => {
      try {
        await this.handle.close();
      } catch (err) {
        this.fail(`closing rollout ${this.path}: ${errorMessage(err)}`);
      }
    });
    return this.chain;
  }

  private line(body: RolloutRecordBody): Buffer {
    return Buffer.from(`${JSON.stringify({ ts: this.now(), ...body })}\n`, 'utf8');
  }

  private enqueue(body: RolloutRecordBody, sync: boolean): void {
    if (this.closed) {
      this.fail(`rollout ${this.path} is closed; dropped a ${body.type} record`);
      return;
    }
    let data: Buffer;
    try {
      data = this.line(body);
    } catch (err) {
      this.fail(`cannot serialize ${body.type} record: ${errorMessage(err)}`);
      return;
    }
    this.chain = this.chain.then(async () => {
      try {
        if (this.needsNewline) {
          await writeAll(this.handle, Buffer.from('\n'));
          this.needsNewline = false;
        }
        await writeAll(this.handle, data);
      } catch (err) {
        this.needsNewline = true;
        this.fail(`writing rollout ${this.path}: ${errorMessage(err)}`);
        return;
      }
      if (!sync) return;
      try {
        await this.handle.datasync();
      } catch (err) {
        this.fail(`syncing rollout ${this.path}: ${errorMessage(err)}`);
      }
    });
  }

  private fail(message: string): void {
    if (this.firstError !== null) return;
    this.firstError = message;
    try {
      this.onError?.(message);
    } catch {
      // a failing callback must not break the chain
    }
  }
}
