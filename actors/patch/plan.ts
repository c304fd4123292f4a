import { readFile as fsReadFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PatchError } from './errors.js';
import { realEntry, realLocation } from './paths.js';
import { LineIndex } from './seek.js';
import { joinFile, splitFile } from './text.lines.js';
import type { HunkLine, ParsedPatch, PatchHunk, PatchPlan, PlannedChange, PlanOptions } from './types.js';
import { unifiedDiff } from './unified.js';
import { errorMessage } from '../../protocol/index.js';

/** fileChange items carry diffs with one line of context, as the reference does. */
const ITEM_DIFF_CONTEXT = 1;

type Reader = (path: string) => Promise<string>;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The file's content, or null when it does not exist. */
async function readIfExists(read: Reader, path: string): Promise<string | null> {
  try {
    return await read(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
    if (errorCode(error) === 'EISDIR') throw new PatchError(`${path} is a directory`, path);
    throw new PatchError(`cannot read ${path}: ${errorMessage(error)}`, path);
  }
}

/** Where a hunk goes in the file's lines, and the lines that replace that span. */
type Replacement = { start: number; length: number; lines: string[] };

/** Hunk lines without trailing empty context lines (slack a model often leaves at the end). */
function withoutTrailingBlankContext(lines: HunkLine[]): HunkLine[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.op === ' ' && lines[end - 1]!.text === '') end--;
  return lines.slice(0, end);
}

const oldSide = (lines: HunkLine[]): string[] => lines.filter((l) => l.op !== '+').map((l) => l.text);

/**
 * The replacement for a matched hunk. Context lines keep the file's own text, so a match
 * found despite whitespace or punctuation drift does not rewrite the surrounding lines.
 */
function replacementAt(fileLines: readonly string[], start: number, hunkLines: HunkLine[]): Replacement {
  const out: string[] = [];
  let at = start;
  for (const line of hunkLines) {
    if (line.op === '+') out.push(line.text);
    else if (line.op === ' ') out.push(fileLines[at++]!);
    else at++;
  }
  return { start, length: at - start, lines: out };
}

function locateHunk(file: string, index: LineIndex, hunk: PatchHunk, cursor: number): Replacement {
  let from = cursor;
  let headerAt: number | null = null;
  for (const header of hunk.headers) {
    const found = index.findLine(header, from);
    if (found === null) throw new PatchError(`failed to find context '${header}' in ${file}`, file, header);
    headerAt = found;
    from = found + 1;
  }
  const total = index.lines.length;
  const added = hunk.lines.filter((l) => l.op === '+').map((l) => l.text);
  if (hunk.oldLines.length === 0) {
    // Pure insertion: right after the header when there is one, else at the end of the file.
    const start = headerAt !== null && !hunk.endOfFile ? from : total;
    return { start, length: 0, lines: added };
  }

  const attempts: HunkLine[][] = [hunk.lines];
  const trimmed = withoutTrailingBlankContext(hunk.lines);
  if (trimmed.length < hunk.lines.length && oldSide(trimmed).length > 0) attempts.push(trimmed);

  let firstFailure: { line: string } | null = null;
  for (const lines of attempts) {
    const old = oldSide(lines);
    if (hunk.endOfFile) {
      const start = total - old.length;
      if (start >= cursor && index.matchAt(old, start) !== null) return replacementAt(index.lines, start, lines);
    }
    let result = index.seek(old, from, headerAt !== null);
    // The model may repeat the header line as the first context line.
    if (!result.found && headerAt !== null) result = index.seek(old, headerAt, true);
    if (result.found) return replacementAt(index.lines, result.index, lines);
    if (result.ambiguous) {
      const [a, b] = result.indexes;
      throw new PatchError(
        `ambiguous context in ${file}: the hunk starting '${old[0]}' matches at lines ${a + 1} and ${b + 1}; add more context or an @@ header`,
        file,
        old[0],
      );
    }
    firstFailure ??= { line: old[result.failedAt] ?? old[0]! };
  }
  const line = firstFailure!.line;
  throw new PatchError(`failed to find expected lines in ${file}: no match for '${line}'`, file, line);
}

/** Applies the hunks of an update to the file's content; returns the new content. */
function updatedContent(file: string, content: string, hunks: PatchHunk[]): string {
  const parsed = splitFile(content);
  const index = new LineIndex(parsed.lines);
  const replacements: Replacement[] = [];
  let cursor = 0;
  for (const hunk of hunks) {
    const replacement = locateHunk(file, index, hunk, cursor);
    replacements.push(replacement);
    cursor = replacement.start + replacement.length;
  }
  // Splice back to front so earlier indexes stay valid; rebuild once to stay linear.
  const lines: string[] = [];
  let at = 0;
  for (const r of replacements.sort((x, y) => x.start - y.start)) {
    for (; at < r.start; at++) lines.push(parsed.lines[at]!);
    lines.push(...r.lines);
    at = r.start + r.length;
  }
  for (; at < parsed.lines.length; at++) lines.push(parsed.lines[at]!);
  return joinFile({ ...parsed, lines, trailingNewline: parsed.trailingNewline || parsed.lines.length === 0 });
}

/**
 * Works out the effect of a parsed patch without writing anything: for every file, its
 * absolute path, where the write really lands, old and new content and the diff a
 * fileChange item shows. Nothing is refused for where it lies; see unwritableTargets.
 */
export async function planPatch(parsed: ParsedPatch, options: PlanOptions): Promise<PatchPlan> {
  const read: Reader = options.readFile ?? ((path) => fsReadFile(path, 'utf8'));
  const changes: PlannedChange[] = [];
  // Real locations, so two spellings of one file (a path and a symlink to it) count as one.
  const touched = new Set<string>();
  const claim = (real: string | null, spelled: string): void => {
    if (real === null) return;
    if (touched.has(real)) throw new PatchError(`${spelled} appears more than once in the patch (or leads to a file it already changes)`, spelled);
    touched.add(real);
  };

  for (const op of parsed.operations) {
    const path = resolve(options.cwd, op.path);
    const existing = await readIfExists(read, path);
    if (op.type === 'add') {
      if (existing !== null) throw new PatchError(`cannot add ${op.path}: the file already exists`, op.path);
      const writeTo = await realLocation(path);
      claim(writeTo, op.path);
      changes.push({ path, kind: 'add', movePath: null, oldContent: null, newContent: op.contents, diff: op.contents, writeTo, removes: null });
      continue;
    }
    if (existing === null) throw new PatchError(`cannot ${op.type} ${op.path}: the file does not exist`, op.path);
    if (op.type === 'delete') {
      const removes = await realEntry(path);
      claim(removes, op.path);
      changes.push({ path, kind: 'delete', movePath: null, oldContent: existing, newContent: null, diff: existing, writeTo: null, removes });
      continue;
    }
    const newContent = op.hunks.length === 0 ? existing : updatedContent(op.path, existing, op.hunks);
    let movePath: string | null = null;
    let writeTo = await realLocation(path);
    let removes: string | null = null;
    if (op.movePath !== null) {
      const target = resolve(options.cwd, op.movePath);
      const realTarget = await realLocation(target);
      // A move onto the file itself (however spelled) is an update in place.
      if (realTarget !== writeTo) {
        movePath = target;
        removes = await realEntry(path);
        writeTo = realTarget;
      }
    }
    claim(removes, op.path);
    claim(writeTo, op.movePath ?? op.path);
    const diff = unifiedDiff(existing, newContent, { context: ITEM_DIFF_CONTEXT });
    changes.push({ path, kind: 'update', movePath, oldContent: existing, newContent, diff, writeTo, removes });
  }
  return { changes };
}
