import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Enough files for any picker, few enough that a huge tree cannot stall the UI. */
const MAX_FILES = 20_000;

/** Without git: a plain walk that leaves out dot-directories and node_modules. */
async function walk(root: string, dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (found.length >= MAX_FILES) return;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') await walk(root, join(dir, entry.name), found);
    } else if (entry.isFile()) found.push(relative(root, join(dir, entry.name)));
  }
}

/** The repository's files, relative to `cwd`, as git sees them (tracked and untracked, .gitignore respected). */
export async function listFiles(cwd: string): Promise<string[]> {
  try {
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return [...new Set(stdout.split('\0').filter(Boolean))].slice(0, MAX_FILES);
  } catch {
    const found: string[] = [];
    await walk(cwd, cwd, found);
    return found;
  }
}

/**
 * Fuzzy match: every character of the query in order. Matches at the start of a path part
 * and in a row score higher; shorter paths win ties.
 */
export function fuzzyFilter(candidates: readonly string[], query: string, limit: number): string[] {
  const needle = query.toLowerCase();
  const scored: Array<{ value: string; score: number }> = [];
  for (const value of candidates) {
    const haystack = value.toLowerCase();
    let score = 0;
    let at = -1;
    let ok = true;
    for (const char of needle) {
      const next = haystack.indexOf(char, at + 1);
      if (next < 0) {
        ok = false;
        break;
      }
      score += next === at + 1 ? 3 : 0;
      score += next === 0 || '/._-'.includes(haystack[next - 1]!) ? 2 : 0;
      at = next;
    }
    if (ok) scored.push({ value, score: score * 1000 - value.length });
  }
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((entry) => entry.value);
}
