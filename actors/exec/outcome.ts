import type { ExecOutcome } from '../../machines/index.js';

/** The outcome of a command that never ran (or could not be started); `message` tells the model why. */
export const failedOutcome = (message: string, durationMs = 0): ExecOutcome => ({
  exitCode: null,
  stillRunning: false,
  interrupted: false,
  failedToRun: true,
  sandboxDenial: null,
  processId: null,
  aggregatedOutput: '',
  durationMs,
  modelOutput: message,
});
