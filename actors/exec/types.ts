import type { ExecOutcome } from '../../machines/index.js';

export type { ExecSpec, SandboxSpec } from '../../protocol/index.js';

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
