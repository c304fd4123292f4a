import type { Observable, Subscription } from 'rxjs';
import type { ProtocolEvent, ResponseItem, Thread, ThreadOverrides, TokenUsageBreakdown } from '../../protocol/index.js';
import type { RolloutRecordBody } from './rollout.schema.js';
import { AppendLog } from './append.log.js';

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

/**
 * Appends a thread's records to its rollout file (an AppendLog: lines whole and in call
 * order, failures kept, not thrown). Item and turn boundaries are followed by a datasync so
 * a crash loses at most the item in flight.
 */
export class RolloutRecorder {
  private readonly now: () => number;

  private constructor(
    private readonly log: AppendLog,
    options: RecorderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get path(): string {
    return this.log.path;
  }

  /** Creates the file (it must not exist yet) with its meta line, synced to disk. */
  static async create(path: string, meta: RolloutMeta, options: RecorderOptions = {}): Promise<RolloutRecorder> {
    const now = options.now ?? Date.now;
    const thread: Thread = { ...meta.thread, path, turns: [], status: { type: 'idle' } };
    const body: RolloutRecordBody = { type: 'meta', thread, overrides: meta.overrides };
    return new RolloutRecorder(await AppendLog.create(path, JSON.stringify({ ts: now(), ...body }), options.onError), options);
  }

  /** Opens an existing rollout to append to it (a resumed thread). */
  static async reopen(path: string, options: RecorderOptions = {}): Promise<RolloutRecorder> {
    return new RolloutRecorder(await AppendLog.reopen(path, options.onError), options);
  }

  /** The first write failure, if any. */
  get error(): string | null {
    return this.log.error;
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
    return this.log.flush();
  }

  /** Flushes, then closes the file; later records are dropped (and reported). */
  close(): Promise<void> {
    return this.log.close();
  }

  private enqueue(body: RolloutRecordBody, sync: boolean): void {
    this.log.append(() => JSON.stringify({ ts: this.now(), ...body }), body.type, sync);
  }
}
