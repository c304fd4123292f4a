import { diffSequences, lineIds } from './myers.js';
import type { UnifiedDiffOptions } from './types.js';

const NO_NEWLINE = '\\ No newline at end of file';

/** Splits text into lines that keep their '\n', so a missing final newline is a difference. */
function linesWithEnds(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  const last = lines.pop()!;
  const out = lines.map((line) => `${line}\n`);
  if (last !== '') out.push(last);
  return out;
}

type Op = { tag: ' ' | '-' | '+'; line: string; a: number; b: number };

/** The full edit script: every line of both texts, tagged. */
function editScript(aLines: string[], bLines: string[]): Op[] {
  const [a, b] = lineIds(aLines, bLines);
  const kept = diffSequences(a, b);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  const flush = (untilA: number, untilB: number): void => {
    for (; i < untilA; i++) ops.push({ tag: '-', line: aLines[i]!, a: i, b: j });
    for (; j < untilB; j++) ops.push({ tag: '+', line: bLines[j]!, a: i, b: j });
  };
  for (const [ai, bj] of kept) {
    flush(ai, bj);
    ops.push({ tag: ' ', line: aLines[i]!, a: i, b: j });
    i++;
    j++;
  }
  flush(aLines.length, bLines.length);
  return ops;
}

/** `start,count` as diff prints it: `start` alone for one line, the preceding line for none. */
function range(first: number, count: number): string {
  if (count === 1) return `${first + 1}`;
  if (count === 0) return `${first},0`;
  return `${first + 1},${count}`;
}

function printLine(tag: string, line: string): string {
  return line.endsWith('\n') ? `${tag}${line}` : `${tag}${line}\n${NO_NEWLINE}\n`;
}

/**
 * A unified diff of two texts, hunks only unless `headers` is set (then `--- a/path` and
 * `+++ b/path` come first). Lines are compared with their line terminators, so CRLF and a
 * missing final newline show up the way git shows them. Identical texts give ''.
 */
export function unifiedDiff(oldText: string, newText: string, options: UnifiedDiffOptions = {}): string {
  const context = Math.max(0, options.context ?? 3);
  const aLines = linesWithEnds(oldText);
  const bLines = linesWithEnds(newText);
  const ops = editScript(aLines, bLines);

  // Group changed ops into hunks whose context windows touch or overlap.
  const hunks: Array<[number, number]> = [];
  for (let k = 0; k < ops.length; k++) {
    if (ops[k]!.tag === ' ') continue;
    let end = k;
    while (end + 1 < ops.length && ops[end + 1]!.tag !== ' ') end++;
    const from = Math.max(0, k - context);
    const to = Math.min(ops.length - 1, end + context);
    const last = hunks[hunks.length - 1];
    if (last !== undefined && from <= last[1] + 1) last[1] = to;
    else hunks.push([from, to]);
    k = end;
  }
  if (hunks.length === 0) return '';

  let out = '';
  if (options.headers) {
    const name = options.path ?? 'file';
    out += `--- a/${name}\n+++ b/${name}\n`;
  }
  for (const [from, to] of hunks) {
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((op) => op.tag !== '+').length;
    const newCount = slice.filter((op) => op.tag !== '-').length;
    const start = slice[0]!;
    out += `@@ -${range(start.a, oldCount)} +${range(start.b, newCount)} @@\n`;
    for (const op of slice) out += printLine(op.tag, op.line);
  }
  return out;
}
