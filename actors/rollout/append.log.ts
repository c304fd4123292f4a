import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '../../protocol/index.js';

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
 * A JSON-lines file written in the rollout's way: every line is queued on one promise chain,
 * so lines are written whole and in call order; a line marked as a boundary is followed by a
 * datasync. Failures never reach the caller: the first is kept (see `error`) and passed to
 * `onError`, and later lines are still attempted.
 */
export class AppendLog {
  private chain: Promise<void> = Promise.resolve();
  private firstError: string | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly onError: ((message: string) => void) | undefined,
    /** Set after a failed write (or on a file torn by a crash), which may have left half a line behind. */
    private needsNewline: boolean,
  ) {}

  /** Creates the file (it must not exist yet) with its first line, synced to disk together with its directory entry. */
  static async create(path: string, first: string, onError?: (message: string) => void): Promise<AppendLog> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'wx');
    try {
      await writeAll(handle, Buffer.from(`${first}\n`, 'utf8'));
      await handle.datasync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw new Error(`cannot write ${path}: ${errorMessage(err)}`);
    }
    await syncDir(dirname(path));
    return new AppendLog(path, handle, onError, false);
  }

  /** Opens an existing file to append to it; a torn last line is ended before the next one. */
  static async reopen(path: string, onError?: (message: string) => void): Promise<AppendLog> {
    const handle = await open(path, 'a+');
    try {
      return new AppendLog(path, handle, onError, await endsTorn(handle));
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw new Error(`cannot reopen ${path}: ${errorMessage(err)}`);
    }
  }

  /** The first write failure, if any. */
  get error(): string | null {
    return this.firstError;
  }

  /** Queues one line (`what` names it in error messages); `sync` makes it a durability boundary. */
  append(line: () => string, what: string, sync: boolean): void {
    if (this.closed) {
      this.fail(`${this.path} is closed; dropped a ${what} record`);
      return;
    }
    let data: Buffer;
    try {
      data = Buffer.from(`${line()}\n`, 'utf8');
    } catch (err) {
      this.fail(`cannot serialize ${what} record: ${errorMessage(err)}`);
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
        this.fail(`writing ${this.path}: ${errorMessage(err)}`);
        return;
      }
      if (!sync) return;
      try {
        await this.handle.datasync();
      } catch (err) {
        this.fail(`syncing ${this.path}: ${errorMessage(err)}`);
      }
    });
  }

  /** Resolves once everything queued so far is written and synced. Never rejects. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Flushes, then closes the file; later lines are dropped (and reported). */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    this.chain = this.chain.then(async () => {
      try {
        await this.handle.close();
      } catch (err) {
        this.fail(`closing ${this.path}: ${errorMessage(err)}`);
      }
    });
    return this.chain;
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
