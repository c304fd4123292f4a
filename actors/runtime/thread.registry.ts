import type { Thread, ThreadOverrides } from '../../protocol/index.js';
import { findRollout, listRollouts, MIN_THREAD_ID_PREFIX, readRollout, type StoredThread } from '../rollout/index.js';
import { openThread, type Runtime, type ThreadHandle } from './thread.runtime.js';

/** A thread the caller asked for that is neither loaded nor recorded. */
export class UnknownThreadError extends Error {
  constructor(readonly threadId: string) {
    super(
      `no thread with id ${threadId}: it is not loaded and no rollout file under the sessions directory has that id ` +
        `(give the whole id, or its first ${MIN_THREAD_ID_PREFIX} or more characters)`,
    );
  }
}

/** Only what a caller actually gave: null and absent both mean "keep the configured (or stored) value". */
export const present = <T extends object>(values: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null && value !== undefined)) as Partial<{
    [K in keyof T]: NonNullable<T[K]>;
  }>;

/**
 * The threads of one process: started, resumed from their rollout files, listed and read.
 * Each loaded thread is its own session actor; the registry only finds and tracks them.
 */
export class ThreadRegistry {
  private readonly loaded = new Map<string, ThreadHandle>();

  constructor(private readonly runtime: Runtime) {}

  get(threadId: string): ThreadHandle | undefined {
    return this.loaded.get(threadId);
  }

  /** Opens a new thread; `beforeStart` sees the handle before any event, so no event is missed. */
  async start(overrides: ThreadOverrides, beforeStart?: (handle: ThreadHandle) => void): Promise<ThreadHandle> {
    return this.track(openThread(this.runtime, { overrides }), beforeStart);
  }

  /** Continues a thread: the loaded one as it is, else the recorded one with its history. */
  async resume(
    idOrPrefix: string,
    overrides: ThreadOverrides,
    beforeStart?: (handle: ThreadHandle) => void,
  ): Promise<{ handle: ThreadHandle; stored: StoredThread | null }> {
    const threadId = await this.resolve(idOrPrefix);
    const live = this.loaded.get(threadId);
    if (live) return { handle: live, stored: null };
    const stored = await this.stored(threadId);
    const handle = await this.track(openThread(this.runtime, { stored, overrides: { ...stored.meta.overrides, ...present(overrides) } }), beforeStart);
    return { handle, stored };
  }

  /** The most recently updated recorded thread, for `exec resume --last`. */
  async latest(): Promise<string | null> {
    const page = await listRollouts(this.runtime.home, { limit: 1 });
    return page.data[0]?.id ?? null;
  }

  async list(page: { cursor?: string | null; limit?: number | null }): Promise<{ data: Thread[]; nextCursor: string | null }> {
    const listed = await listRollouts(this.runtime.home, page);
    return { data: listed.data.map((thread) => this.withLiveState(thread)), nextCursor: listed.nextCursor };
  }

  /** One thread as recorded (flushed first when it is loaded), with its turns on request. */
  async read(idOrPrefix: string, includeTurns: boolean): Promise<Thread> {
    const threadId = await this.resolve(idOrPrefix);
    const live = this.loaded.get(threadId);
    const current = live?.current();
    if (live && current && !current.thread.path) return { ...current.thread, turns: [] };
    // Taken before the flush: a turn that ends meanwhile may lack its turn_completed record yet, and still reads as running.
    const runningTurnId = live?.activeTurnId() ?? null;
    await live?.flush();
    const thread = this.withLiveState((await this.stored(threadId, runningTurnId)).thread);
    return includeTurns ? thread : { ...thread, turns: [] };
  }

  /** Interrupts whatever runs, kills every process the threads left, flushes every rollout. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.loaded.values()].map((handle) => handle.close()));
    this.loaded.clear();
  }

  /** The full id a caller's id or unique prefix names: a loaded thread's, else a recorded one's. */
  private async resolve(idOrPrefix: string): Promise<string> {
    if (this.loaded.has(idOrPrefix)) return idOrPrefix;
    return (await findRollout(this.runtime.home, idOrPrefix))?.threadId ?? idOrPrefix;
  }

  private async stored(threadId: string, runningTurnId: string | null = null): Promise<StoredThread> {
    const found = await findRollout(this.runtime.home, threadId);
    if (!found) throw new UnknownThreadError(threadId);
    const stored = await readRollout(found.path, { runningTurnId });
    for (const warning of stored.warnings) this.runtime.warn(warning);
    return stored;
  }

  private withLiveState(thread: Thread): Thread {
    const current = this.loaded.get(thread.id)?.current();
    if (!current) return thread;
    const live = current.thread;
    return { ...thread, status: live.status, environments: live.environments, preview: live.preview || thread.preview };
  }

  private async track(handle: ThreadHandle, beforeStart?: (handle: ThreadHandle) => void): Promise<ThreadHandle> {
    beforeStart?.(handle);
    this.loaded.set(handle.threadId, handle);
    try {
      await handle.ready();
    } catch (error) {
      this.loaded.delete(handle.threadId);
      throw error;
    }
    handle.events$.subscribe({ complete: () => this.loaded.delete(handle.threadId) });
    return handle;
  }
}
