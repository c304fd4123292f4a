import { PatchError } from './errors.js';
import { extractPatchFromCommand } from './extract.js';
import type { HunkLine, ParsedPatch, PatchHunk, PatchOperation } from './types.js';

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const END_OF_FILE = '*** End of File';
const ADD = '*** Add File:';
const DELETE = '*** Delete File:';
const UPDATE = '*** Update File:';
const MOVE = '*** Move to:';
/** A model used to unified diffs may write `@@ -12,3 +12,4 @@ header`; the numbers are dropped. */
const NUMBERED_HEADER = /^-\d+(?:,\d+)?\s+\+\d+(?:,\d+)?\s*@@\s*/;

type Line = { text: string; number: number };

function fail(line: Line, detail: string, file: string | null = null): never {
  throw new PatchError(`invalid patch: line ${line.number}: ${detail}: '${line.text}'`, file, line.text);
}

function isOperationMarker(trimmed: string): boolean {
  return trimmed.startsWith(ADD) || trimmed.startsWith(DELETE) || trimmed.startsWith(UPDATE) || trimmed === END;
}

function pathAfter(line: Line, marker: string): string {
  const path = line.text.trim().slice(marker.length).trim();
  if (path === '') fail(line, `${marker} needs a path`);
  return path;
}

function hunkLine(text: string): HunkLine | null {
  if (text === '') return { op: ' ', text: '' };
  const op = text[0];
  if (op === ' ' || op === '-' || op === '+') return { op, text: text.slice(1) };
  return null;
}

function newHunk(headers: string[]): PatchHunk {
  return { headers, lines: [], oldLines: [], newLines: [], endOfFile: false };
}

function pushLine(hunk: PatchHunk, line: HunkLine): void {
  hunk.lines.push(line);
  if (line.op !== '+') hunk.oldLines.push(line.text);
  if (line.op !== '-') hunk.newLines.push(line.text);
}

function headerText(trimmed: string): string | null {
  const rest = trimmed.slice(2).trim().replace(NUMBERED_HEADER, '').trim();
  return rest === '' ? null : rest;
}

/** Parses the lines of one file operation starting at `lines[at]`; returns the index after it. */
function parseOperation(lines: Line[], at: number, out: PatchOperation[]): number {
  const first = lines[at]!;
  const trimmed = first.text.trim();
  let i = at + 1;

  if (trimmed.startsWith(ADD)) {
    const path = pathAfter(first, ADD);
    const body: string[] = [];
    for (; i < lines.length; i++) {
      const line = lines[i]!;
      const t = line.text.trim();
      if (t.startsWith('***') && isOperationMarker(t)) break;
      if (line.text.startsWith('+')) {
        body.push(line.text.slice(1));
        continue;
      }
      // Blank lines just before the next marker are slack, anywhere else they are a mistake.
      const rest = lines.slice(i).findIndex((l) => l.text.trim() !== '');
      if (t === '' && (rest < 0 || isOperationMarker(lines[i + rest]!.text.trim()))) {
        i = rest < 0 ? lines.length : i + rest;
        break;
      }
      fail(line, `every line of an added file must start with '+'`, path);
    }
    out.push({ type: 'add', path, contents: body.length === 0 ? '' : `${body.join('\n')}\n` });
    return i;
  }

  if (trimmed.startsWith(DELETE)) {
    const path = pathAfter(first, DELETE);
    for (; i < lines.length; i++) {
      const t = lines[i]!.text.trim();
      if (t === '') continue;
      if (isOperationMarker(t)) break;
      fail(lines[i]!, 'nothing may follow *** Delete File', path);
    }
    out.push({ type: 'delete', path });
    return i;
  }

  if (trimmed.startsWith(UPDATE)) {
    const path = pathAfter(first, UPDATE);
    let movePath: string | null = null;
    if (i < lines.length && lines[i]!.text.trim().startsWith(MOVE)) {
      movePath = pathAfter(lines[i]!, MOVE);
      i++;
    }
    const hunks: PatchHunk[] = [];
    let current: PatchHunk | null = null;
    for (; i < lines.length; i++) {
      const line = lines[i]!;
      const t = line.text.trim();
      if (isOperationMarker(t)) break;
      if (t.startsWith('@@')) {
        const header = headerText(t);
        if (current !== null && current.lines.length === 0) {
          // Stacked `@@ class Foo` / `@@ def bar` lines narrow the search step by step.
          if (header !== null) current.headers.push(header);
        } else {
          current = newHunk(header === null ? [] : [header]);
          hunks.push(current);
        }
        continue;
      }
      if (t === END_OF_FILE) {
        if (current === null || current.lines.length === 0) fail(line, '*** End of File must close a hunk', path);
        current.endOfFile = true;
        current = null;
        continue;
      }
      if (t.startsWith(MOVE)) fail(line, '*** Move to must directly follow *** Update File', path);
      // Blank lines outside a hunk (before the first one, after *** End of File) are slack.
      if (current === null && t === '') continue;
      const parsed = hunkLine(line.text);
      if (parsed === null) {
        if (t.startsWith('***')) fail(line, 'unknown marker', path);
        return fail(line, `hunk lines must start with ' ', '-' or '+'`, path);
      }
      if (current === null) {
        if (hunks.length > 0) fail(line, 'a new hunk must start with @@', path);
        current = newHunk([]);
        hunks.push(current);
      }
      pushLine(current, parsed);
    }
    if (hunks.length === 0 && movePath === null) fail(first, 'an update needs at least one hunk', path);
    for (const hunk of hunks) {
      if (hunk.lines.length === 0) fail(first, 'empty hunk', path);
    }
    out.push({ type: 'update', path, movePath, hunks });
    return i;
  }

  if (trimmed.startsWith('***')) fail(first, 'unknown marker');
  return fail(first, 'expected *** Add File, *** Delete File or *** Update File');
}

/**
 * Parses an apply_patch envelope. Lenient where models are sloppy (padding around markers,
 * a heredoc or `bash -lc` wrapper, a missing first `@@`, blank lines inside hunks), strict
 * about structure (unknown markers, add lines without '+', a patch with no operations).
 */
export function parsePatch(text: string): ParsedPatch {
  let source = text;
  if (!source.trimStart().startsWith('***')) source = extractPatchFromCommand(source) ?? source;
  const lines: Line[] = source.split(/\r?\n/).map((t, index) => ({ text: t, number: index + 1 }));
  const start = lines.findIndex((l) => l.text.trim() !== '');
  if (start < 0) throw new PatchError('invalid patch: the patch is empty');
  if (lines[start]!.text.trim() !== BEGIN) fail(lines[start]!, `the first line must be '${BEGIN}'`);
  let end = lines.length - 1;
  while (end > start && lines[end]!.text.trim() === '') end--;
  if (end === start || lines[end]!.text.trim() !== END) fail(lines[end]!, `the last line must be '${END}'`);

  const body = lines.slice(start + 1, end);
  const operations: PatchOperation[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i]!.text.trim() === '') {
      i++;
      continue;
    }
    if (body[i]!.text.trim() === END) fail(body[i]!, `text after '${END}'`);
    i = parseOperation(body, i, operations);
  }
  if (operations.length === 0) throw new PatchError('invalid patch: the patch contains no file operations');
  return { operations };
}
