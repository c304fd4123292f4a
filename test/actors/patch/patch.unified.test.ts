import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../actors/patch/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => dir.remove());

const gitEnv = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: dir.path, LC_ALL: 'C' };

/** git's hunks for two texts: everything from the first @@ on, without the function-name suffix. */
async function gitHunks(oldText: string, newText: string, context: number): Promise<string> {
  const a = join(dir.path, 'old.txt');
  const b = join(dir.path, 'new.txt');
  writeFileSync(a, oldText);
  writeFileSync(b, newText);
  const { stdout } = await execa('git', ['diff', '--no-index', '--no-color', `-U${context}`, a, b], {
    reject: false,
    env: gitEnv,
    stripFinalNewline: false,
  });
  const start = stdout.indexOf('\n@@');
  if (start < 0) return '';
  return stdout.slice(start + 1).replace(/^(@@ [^@]+ @@).*$/gm, '$1');
}

const numbered = (n: number, from = 1): string[] => Array.from({ length: n }, (_, i) => `line ${i + from}`);
const text = (lines: string[], newline = true): string => lines.join('\n') + (newline && lines.length > 0 ? '\n' : '');

function edit(lines: string[], changes: Record<number, string | null>): string[] {
  return lines.flatMap((line, i) => (i in changes ? (changes[i] === null ? [] : [changes[i]!]) : [line]));
}

const base = numbered(30);
const CASES: Array<[string, string, string, number]> = [
  ['one change in the middle', text(base), text(edit(base, { 14: 'CHANGED' })), 3],
  ['changes 6 lines apart share a hunk', text(base), text(edit(base, { 5: 'X', 12: 'Y' })), 3],
  ['changes 7 lines apart get two hunks', text(base), text(edit(base, { 5: 'X', 13: 'Y' })), 3],
  ['insert at the start, delete at the end', text(base), text(['first', ...base.slice(0, -1)]), 3],
  ['final newline removed', text(base), text(base, false), 3],
  ['both without final newline', text(base, false), text(edit(base, { 29: 'last' }), false), 3],
  ['from empty', '', 'a\nb\n', 3],
  ['to empty', 'a\nb\n', '', 3],
  ['CRLF lines', 'a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n', 3],
  ['zero context', text(base), text(edit(base, { 3: 'X', 4: null, 20: 'Y' })), 0],
  ['one line of context', text(base), text(edit(base, { 3: 'X', 8: 'Y', 20: null })), 1],
  ['pure insertion mid-file', text(base), text([...base.slice(0, 10), 'new a', 'new b', ...base.slice(10)]), 3],
];

describe('unifiedDiff', () => {
  it.each(CASES)('matches git diff: %s', async (_name, oldText, newText, context) => {
    expect(unifiedDiff(oldText, newText, { context })).toBe(await gitHunks(oldText, newText, context));
  });

  it('is empty for identical texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('adds file headers on request', () => {
    expect(unifiedDiff('a\n', 'b\n', { path: 'src/x.ts', headers: true })).toBe('--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1 +1 @@\n-a\n+b\n');
  });

  it('produces diffs git apply accepts, on pseudo-random edits', async () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 15; round++) {
      const pool = ['{', '}', '', 'return x;', 'x++;', 'if (x) {', '// note'];
      const oldLines = Array.from({ length: 80 }, (_, i) => (random(3) === 0 ? pool[random(pool.length)]! : `stmt ${i}`));
      const newLines: string[] = [];
      for (const line of oldLines) {
        const roll = random(10);
        if (roll === 0) continue;
        if (roll === 1) newLines.push(`inserted ${random(1000)}`);
        newLines.push(roll === 2 ? pool[random(pool.length)]! : line);
      }
      const oldText = text(oldLines, round % 3 !== 0);
      const newText = text(newLines, round % 4 !== 0);
      writeFileSync(join(dir.path, 'f.txt'), oldText);
      const diff = unifiedDiff(oldText, newText, { path: 'f.txt', headers: true, context: round % 4 });
      writeFileSync(join(dir.path, 'change.diff'), diff);
      const args = ['apply', '--unidiff-zero', '--whitespace=nowarn', 'change.diff'];
      const result = await execa('git', args, { cwd: dir.path, reject: false, env: gitEnv });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(readFileSync(join(dir.path, 'f.txt'), 'utf8')).toBe(newText);
    }
  });

  it('diffs a 50,000-line file with 500 scattered changes', () => {
    const lines = numbered(50_000);
    const changed = lines.map((line, i) => (i % 100 === 50 ? `${line} changed` : line));
    const diff = unifiedDiff(text(lines), text(changed));
    expect(diff.match(/^@@ /gm)).toHaveLength(500);
    expect(diff.match(/^-/gm)).toHaveLength(500);
    expect(diff.match(/^\+/gm)).toHaveLength(500);
  });

  it('stays bounded on two unrelated large files', () => {
    const a = numbered(20_000);
    const b = numbered(20_000, 100_000);
    const diff = unifiedDiff(text(a), text(b));
    expect(diff.startsWith('@@ -1,20000 +1,20000 @@\n')).toBe(true);
  });
});
