import type { ProtocolEvent, ResponseItem, Thread, ThreadOverrides, ThreadSettings, TokenUsageBreakdown } from '../../protocol/index.js';
import { RolloutRecorder } from '../rollout/index.js';
import { TraceWriter, tracePath, type TraceRecord } from '../trace/index.js';
import { errorMessage } from '../../protocol/index.js';

/** What reproduces a thread's settings when it is resumed; never secrets such as headers or keys. */
const overridesToStore = (settings: ThreadSettings): ThreadOverrides => ({
  cwd: settings.cwd,
  model: settings.model,
  modelProvider: settings.provider.id,
  approvalPolicy: settings.approvalPolicy,
  sandbox: settings.sandboxMode,
  addDirs: settings.writableRoots,
  ...(settings.baseInstructions !== null ? { baseInstructions: settings.baseInstructions } : {}),
  ...(settings.developerInstructions !== null ? { developerInstructions: settings.developerInstructions } : {}),
});

/**
 * A thread's rollout file as the runtime feeds it. The file opens once the thread is
 * configured; what is recorded before then waits on that, so records keep their order.
 */
export class ThreadPersistence {
  private recorder: Promise<RolloutRecorder | null> | null = null;
  private tracer: Promise<TraceWriter | null> | null = null;

  constructor(
    private readonly resumed: boolean,
    private readonly onError: (message: string) => void,
  ) {}

  /** Opens (or, for a resumed thread, reopens) the file named by `thread.path`. */
  open(thread: Thread, settings: ThreadSettings): void {
    if (this.recorder || !thread.path || settings.ephemeral) return;
    const path = thread.path;
    const opening = this.resumed
      ? RolloutRecorder.reopen(path, { onError: this.onError })
      : RolloutRecorder.create(path, { thread: { ...thread, turns: [] }, overrides: overridesToStore(settings) }, { onError: this.onError });
    this.recorder = opening.catch((error: unknown) => {
      this.onError(`cannot record the thread in ${path}: ${errorMessage(error)}`);
      return null;
    });
  }

  /** Opens the trace file beside the rollout when the settings ask for one; says whether the thread is traced. */
  openTrace(thread: Thread, settings: ThreadSettings): boolean {
    if (this.tracer) return true;
    if (!settings.trace || !thread.path || settings.ephemeral) return false;
    const path = tracePath(thread.path);
    this.tracer = TraceWriter.open(path, thread.id, this.onError).catch((error: unknown) => {
      this.onError(`cannot record the trace in ${path}: ${errorMessage(error)}`);
      return null;
    });
    return true;
  }

  trace(record: TraceRecord): void {
    void this.tracer?.then((tracer) => tracer?.write(record));
  }

  record(event: ProtocolEvent): void {
    void this.recorder?.then((recorder) => recorder?.record(event));
  }

  /** Items a turn committed to the conversation (a turn makes several such records). */
  history(turnId: string, items: ResponseItem[], usageTotal: TokenUsageBreakdown): void {
    void this.recorder?.then((recorder) => recorder?.history(turnId, items, usageTotal));
  }

  /** The conversation was compacted: what replaces it from here on. */
  compacted(turnId: string, summary: string, history: ResponseItem[], usageTotal: TokenUsageBreakdown): void {
    void this.recorder?.then((recorder) => recorder?.compacted(turnId, summary, history, usageTotal));
  }

  async flush(): Promise<void> {
    await (await this.recorder)?.flush();
    await (await this.tracer)?.flush();
  }

  async close(): Promise<void> {
    await (await this.recorder)?.close();
    await (await this.tracer)?.close();
  }
}
