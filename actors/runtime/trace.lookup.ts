import { basename, resolve } from 'node:path';
import { findRollout, listRollouts, MIN_THREAD_ID_PREFIX } from '../rollout/index.js';
import { tracePath } from '../trace/index.js';

/** Which trace to read: a file (a trace, or a rollout whose trace is beside it), a thread id or prefix, or the latest thread. */
export type TraceTarget = { file: string } | { threadId: string } | { last: true };

/** The path of the trace a target names; throws with what to do when it names nothing. */
export async function locateTrace(home: string, target: TraceTarget): Promise<string> {
  if ('file' in target) {
    const path = resolve(target.file);
    return basename(path).startsWith('rollout-') ? tracePath(path) : path;
  }
  if ('last' in target) {
    const latest = (await listRollouts(home, { limit: 1 })).data[0];
    if (!latest?.path) throw new Error(`no recorded thread under ${home}/sessions yet: run one with \`statecraft exec --trace\` first`);
    return tracePath(latest.path);
  }
  const found = await findRollout(home, target.threadId);
  if (!found) {
    throw new Error(
      `no recorded thread with id ${target.threadId} under ${home}/sessions (give the whole id, or its first ${MIN_THREAD_ID_PREFIX} or more characters, or a trace file's path)`,
    );
  }
  return tracePath(found.path);
}
