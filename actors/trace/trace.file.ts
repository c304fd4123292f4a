import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppendLog } from '../rollout/index.js';
import type { TraceRecord } from './trace.records.js';

/** The trace file beside a rollout: `trace-<stamp>-<threadId>.jsonl` in the rollout's directory (not a rollout name, so listings skip it). */
export const tracePath = (rolloutPath: string): string => join(dirname(rolloutPath), basename(rolloutPath).replace(/^rollout-/, 'trace-'));

/**
 * Appends a thread's trace records by the rollout's rules: whole lines in order, synced at
 * item and turn boundaries; a resumed thread's trace goes on in the same file after a new
 * meta line. Write failures are reported once through `onError`, never thrown.
 */
export class TraceWriter {
  private constructor(private readonly log: AppendLog) {}

  static async open(path: string, threadId: string, onError: (message: string) => void, now: () => number = Date.now): Promise<TraceWriter> {
    const meta = JSON.stringify({ k: 'meta', v: 1, ts: now(), threadId } satisfies TraceRecord);
    const log = await AppendLog.create(path, meta, onError).catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const reopened = await AppendLog.reopen(path, onError);
      reopened.append(() => meta, 'meta', true);
      return reopened;
    });
    return new TraceWriter(log);
  }

  write(record: TraceRecord): void {
    const boundary = record.k === 'protocol' && (record.method === 'item/completed' || record.method === 'turn/completed');
    this.log.append(() => JSON.stringify(record), record.k, boundary);
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

interface ReadTrace {
  records: TraceRecord[];
  /** Lines that could not be read (a line torn by a crash, say), one message each. */
  warnings: string[];
}

/** Reads a trace file; throws (naming the file) only when it cannot be read or is not a trace. */
export async function readTrace(path: string): Promise<ReadTrace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `no trace file at ${path}: the thread was recorded without tracing (run it with --trace, or set trace = true in config.toml)`
        : `cannot read the trace ${path}: ${(error as Error).message}`,
    );
  }
  const records: TraceRecord[] = [];
  const warnings: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const record = JSON.parse(line) as TraceRecord;
      if (typeof record !== 'object' || record === null || typeof record.k !== 'string') throw new Error('not a trace record');
      records.push(record);
    } catch (error) {
      warnings.push(`${path}:${index + 1}: skipped a line that is not a trace record (${(error as Error).message})`);
    }
  });
  if (records[0]?.k !== 'meta') throw new Error(`${path} is not a statecraft trace: its first line is not a trace meta record`);
  return { records, warnings };
}
