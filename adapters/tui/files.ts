import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp)$/i;

/**
 * The image file a pasted chunk names, as an absolute path, or null when it is not one. Takes
 * what terminals paste for a dropped file: a plain or quoted path, a `file://` URL, a path with
 * shell-escaped spaces; a relative path is read from `cwd`.
 */
export function pastedImagePath(chunk: string, cwd: string): string | null {
  let candidate = chunk.trim();
  if (candidate.includes('\n')) return null;
  if (/^(['"]).*\1$/.test(candidate)) candidate = candidate.slice(1, -1);
  else candidate = candidate.replace(/\\(.)/g, '$1');
  if (candidate.startsWith('file://')) {
    try {
      candidate = fileURLToPath(candidate);
    } catch {
      return null;
    }
  }
  if (!IMAGE_EXTENSIONS.test(candidate)) return null;
  const path = resolve(cwd, candidate);
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}
