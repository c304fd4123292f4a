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

export type AddOperation = { type: 'add'; path: string; contents: string };
export type DeleteOperation = { type: 'delete'; path: string };
export type UpdateOperation = { type: 'update'; path: string; movePath: string | null; hunks: PatchHunk[] };
export type PatchOperation = AddOperation | DeleteOperation | UpdateOperation;

/** A patch as written by the model; paths are still as the model spelled them. */
export type ParsedPatch = { operations: PatchOperation[] };

export type PatchChangeKindName = 'add' | 'delete' | 'update';

/** One file the patch touches, fully computed but not yet written. */
export type PlannedChange = {
  /** Absolute path of the file the operation names. */
  path: string;
  kind: PatchChangeKindName;
  /** Absolute destination of a move, else null. */
  movePath: string | null;
  /** Content before the patch; null for an add. */
  oldContent: string | null;
  /** Content after the patch; null for a delete. */
  newContent: string | null;
  /** What a fileChange item shows: the new content (add), the old content (delete), unified hunks (update). */
  diff: string;
  /**
   * Where the new content really goes (symlinks followed, as they stood when planned); null
   * for a delete. Writing keeps a symlink in place and replaces the file it leads to.
   */
  writeTo: string | null;
  /** The directory entry really removed (a delete, or a move's source; links in its parents followed); else null. */
  removes: string | null;
};

export type PatchPlan = { changes: PlannedChange[] };

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
