import type { ExecOutcome } from '../../machines/index.js';

/** What a sandboxed command may touch. */
export interface SandboxSpec {
  mode: 'read-only' | 'workspace-write';
  /** Directories the command may write (ignored in read-only mode). */
  writableRoots: string[];
  networkAccess: boolean;
}

/** One command to start. */
export interface ExecSpec {
  /** The script handed to the shell with -c / -lc. */
  command: string;
  /** How the command is shown to people (e.g. `/bin/bash -lc 'ls'`). */
  displayCommand: string;
  cwd: string;
  /** Absolute path or name of the shell, e.g. /bin/bash. */
  shell: string;
  login: boolean;
  /** Run under a pseudo-terminal (via util-linux `script` when present). */
  tty: boolean;
  yieldTimeMs: number | null;
  maxOutputTokens: number | null;
  /** The complete environment of the child (not merged with ours). */
  env: Record<string, string>;
  /** null runs the command unconfined. */
  sandbox: SandboxSpec | null;
}

/** A call in progress: a fresh command or input for a live session. */
export interface ExecHandle {
  /** The OS pid as a string; null when nothing could be spawned. */
  processId: string | null;
  /** Stop the whole process group (TERM, then KILL after a grace period). */
  kill(): void;
  done: Promise<ExecOutcome>;
}

export interface OutputSink {
  onOutput(chunk: string): void;
}

export interface StdinRequest {
  chars: string;
  yieldTimeMs: number | null;
  maxOutputTokens: number | null;
}
