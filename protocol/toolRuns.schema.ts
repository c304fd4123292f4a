import * as z from 'zod';

/**
 * What a prepared tool call carries from its preparation to the actor that carries it out.
 * Never on the wire: these are the messages between the tool-call machines and their actors,
 * typed here so neither side has to cast.
 */

/** What a sandboxed command may touch. */
export const SandboxSpec = z.object({
  mode: z.enum(['read-only', 'workspace-write']),
  /** Directories the command may write (ignored in read-only mode). */
  writableRoots: z.array(z.string()),
  networkAccess: z.boolean(),
});
export type SandboxSpec = z.infer<typeof SandboxSpec>;

/** One command to start. */
export const ExecSpec = z.object({
  /** The script handed to the shell with -c / -lc. */
  command: z.string(),
  /** How the command is shown to people (e.g. `/bin/bash -lc 'ls'`). */
  displayCommand: z.string(),
  cwd: z.string(),
  /** Absolute path or name of the shell, e.g. /bin/bash. */
  shell: z.string(),
  login: z.boolean(),
  /** Run under a pseudo-terminal (via util-linux `script` when present). */
  tty: z.boolean(),
  yieldTimeMs: z.number().int().nullable(),
  maxOutputTokens: z.number().int().nullable(),
  /** The complete environment of the child (not merged with ours). */
  env: z.record(z.string(), z.string()),
  /** null runs the command unconfined. */
  sandbox: SandboxSpec.nullable(),
});
export type ExecSpec = z.infer<typeof ExecSpec>;

/** A new process, or input for a live one (write_stdin). */
export const ExecRun = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('spawn'), spec: ExecSpec }),
  z.object({
    kind: z.literal('poll'),
    sessionId: z.number().int(),
    chars: z.string(),
    yieldTimeMs: z.number().int().nullable(),
    maxOutputTokens: z.number().int().nullable(),
  }),
]);
export type ExecRun = z.infer<typeof ExecRun>;

/** One file a patch touches, fully computed but not yet written. */
export const PlannedChange = z.object({
  /** Absolute path of the file the operation names. */
  path: z.string(),
  kind: z.enum(['add', 'delete', 'update']),
  /** Absolute destination of a move, else null. */
  movePath: z.string().nullable(),
  /** Content before the patch; null for an add. */
  oldContent: z.string().nullable(),
  /** Content after the patch; null for a delete. */
  newContent: z.string().nullable(),
  /** What a fileChange item shows: the new content (add), the old content (delete), unified hunks (update). */
  diff: z.string(),
  /**
   * Where the new content really goes (symlinks followed, as they stood when planned); null
   * for a delete. Writing keeps a symlink in place and replaces the file it leads to.
   */
  writeTo: z.string().nullable(),
  /** The directory entry really removed (a delete, or a move's source; links in its parents followed); else null. */
  removes: z.string().nullable(),
});
export type PlannedChange = z.infer<typeof PlannedChange>;

export const PatchPlan = z.object({ changes: z.array(PlannedChange) });
export type PatchPlan = z.infer<typeof PatchPlan>;

/** A planned patch on its way to being written. */
export const PatchRun = z.object({
  plan: PatchPlan,
  /** The directory its relative paths were read against. */
  cwd: z.string(),
  /** The files it writes where a sandboxed command could not, described for the user. */
  outside: z.array(z.string()),
  /** What each file the patch writes held before it (null: absent), for the turn's diff. */
  baselines: z.array(z.object({ path: z.string(), content: z.string().nullable() })),
});
export type PatchRun = z.infer<typeof PatchRun>;

/**
 * The working tree of a repository as it was when a turn began, kept as a tree object in a
 * scratch object store of statecraft's own (the repository's .git is never written).
 */
export const TurnDiffBase = z.object({
  root: z.string(),
  /** The repository's own index, read to skip rehashing unchanged files. */
  index: z.string(),
  tree: z.string(),
  scratchDir: z.string(),
  /** GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES pointing at the scratch store. */
  scratchEnv: z.record(z.string(), z.string()),
});
export type TurnDiffBase = z.infer<typeof TurnDiffBase>;
