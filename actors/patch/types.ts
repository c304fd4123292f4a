/** One line of an update hunk: context (' '), removal ('-') or addition ('+'). */
export type HunkLine = { op: ' ' | '-' | '+'; text: string };

/** A hunk of an `*** Update File` section. */
export type PatchHunk = {
  /**
   * Texts after `@@ ` (trimmed), in order: each narrows the search to after the first file
   * line equal to it. Empty for a bare `@@` or a hunk with no `@@` line.
   */
  headers: string[];
  lines: HunkLine[];
  /** Context and removed lines, in order: what must be found in the file. */
  oldLines: string[];
  /** Context and added lines, in order: what replaces `oldLines`. */
  newLines: string[];
  /** The hunk carried `*** End of File`: it sits at the very end of the file. */
  endOfFile: boolean;
};

type AddOperation = { type: 'add'; path: string; contents: string };
type DeleteOperation = { type: 'delete'; path: string };
type UpdateOperation = { type: 'update'; path: string; movePath: string | null; hunks: PatchHunk[] };
export type PatchOperation = AddOperation | DeleteOperation | UpdateOperation;

/** A patch as written by the model; paths are still as the model spelled them. */
export type ParsedPatch = { operations: PatchOperation[] };

export type { PatchPlan, PlannedChange } from '../../protocol/index.js';

export type PlanOptions = {
  cwd: string;
  /** Reads a file as UTF-8; defaults to node:fs. Missing files must reject with code ENOENT. */
  readFile?: (path: string) => Promise<string>;
};

export type ApplyOptions = {
  /** Test hook: fail after this many files have been written into place. */
  failAfter?: number;
};

export type UnifiedDiffOptions = {
  /** Name used in the `--- a/` and `+++ b/` headers. */
  path?: string;
  /** Lines of context around each change; 3 like git. */
  context?: number;
  /** Emit the `--- a/path` / `+++ b/path` header lines. */
  headers?: boolean;
};
