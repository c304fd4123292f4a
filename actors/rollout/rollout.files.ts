import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** `rollout-YYYY-MM-DDTHH-MM-SS-<threadId>.jsonl` */
const FILE_NAME = /^rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-.+\.jsonl$/;
/** Path of a rollout file relative to `<home>/sessions`. */
const RELATIVE = /^(\d{4})\/(\d{2})\/(\d{2})\/(rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-.+\.jsonl)$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function sessionsDir(home: string): string {
  return join(home, 'sessions');
}

/**
 * Where the rollout of a thread lives: dated by the local time the thread was created.
 * `<home>/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDTHH-MM-SS-<threadId>.jsonl`
 */
export function rolloutPath(home: string, createdAtMs: number, threadId: string): string {
  const d = new Date(createdAtMs);
  const y = pad(d.getFullYear(), 4);
  const mo = pad(d.getMonth() + 1);
  const day = pad(d.getDate());
  const stamp = `${y}-${mo}-${day}T${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
  return join(sessionsDir(home), y, mo, day, `rollout-${stamp}-${threadId}.jsonl`);
}

function isRolloutFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/** Whether `rel` has the shape of a path produced by `walkRollouts`. */
export function isRelativeRolloutPath(rel: string): boolean {
  return RELATIVE.test(rel);
}

async function listDir(path: string, wantDirs: boolean): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => (wantDirs ? e.isDirectory() : e.isFile())).map((e) => e.name);
  } catch {
    return [];
  }
}

const descending = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

/**
 * Yields rollout files (as paths relative to the sessions dir, `/`-separated) newest first:
 * by day directory, then by file name (which starts with the creation time).
 * With `before`, only paths that sort strictly after it (i.e. are older) are yielded, and
 * directories that can only hold newer files are not read at all.
 */
export async function* walkRollouts(home: string, before?: string): AsyncGenerator<string> {
  const root = sessionsDir(home);
  const bound = before?.split('/');
  const numeric = /^\d+$/;
  for (const year of (await listDir(root, true)).filter((n) => numeric.test(n)).sort(descending)) {
    if (bound && year > bound[0]!) continue;
    for (const month of (await listDir(join(root, year), true)).filter((n) => numeric.test(n)).sort(descending)) {
      const ym = `${year}/${month}`;
      if (bound && ym > `${bound[0]}/${bound[1]}`) continue;
      for (const day of (await listDir(join(root, year, month), true)).filter((n) => numeric.test(n)).sort(descending)) {
        const ymd = `${ym}/${day}`;
        if (bound && ymd > `${bound[0]}/${bound[1]}/${bound[2]}`) continue;
        const names = (await listDir(join(root, year, month, day), false)).filter(isRolloutFileName).sort(descending);
        for (const name of names) {
          const rel = `${ymd}/${name}`;
          if (before !== undefined && rel >= before) continue;
          yield rel;
        }
      }
    }
  }
}

export function absoluteRolloutPath(home: string, rel: string): string {
  return join(sessionsDir(home), ...rel.split('/'));
}

/** The shortest start of a thread id that may stand for the whole id. */
export const MIN_THREAD_ID_PREFIX = 8;

/** `rollout-` and the creation time before the thread id in a rollout file's name. */
const ID_OFFSET = 'rollout-YYYY-MM-DDTHH-MM-SS-'.length;

/** The thread id a rollout file name carries. */
const threadIdOf = (rel: string): string => {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return name.slice(ID_OFFSET, -'.jsonl'.length);
};

/** A prefix that starts the ids of several recorded threads. */
export class AmbiguousThreadIdError extends Error {
  constructor(
    readonly prefix: string,
    readonly candidates: string[],
  ) {
    super(`thread id ${prefix} is ambiguous: it starts ${candidates.join(', ')}; give more of the id`);
  }
}

/**
 * The rollout file of a thread named by its full id or by a prefix of at least
 * MIN_THREAD_ID_PREFIX characters that starts no other recorded thread's id; null when
 * none matches. Throws AmbiguousThreadIdError for a prefix several threads share.
 */
export async function findRollout(home: string, idOrPrefix: string): Promise<{ path: string; threadId: string } | null> {
  if (idOrPrefix.length === 0 || idOrPrefix.includes('/') || idOrPrefix.includes('\\')) return null;
  const byPrefix = new Map<string, string>();
  for await (const rel of walkRollouts(home)) {
    const threadId = threadIdOf(rel);
    if (threadId === idOrPrefix) return { path: absoluteRolloutPath(home, rel), threadId };
    if (idOrPrefix.length >= MIN_THREAD_ID_PREFIX && threadId.startsWith(idOrPrefix) && !byPrefix.has(threadId)) {
      byPrefix.set(threadId, absoluteRolloutPath(home, rel));
    }
  }
  if (byPrefix.size > 1) throw new AmbiguousThreadIdError(idOrPrefix, [...byPrefix.keys()]);
  const [found] = byPrefix;
  return found ? { path: found[1], threadId: found[0] } : null;
}
