export type { ExecHandle, ExecSpec, OutputSink, SandboxSpec, StdinRequest } from './types.js';
export { ExecSessions, launchFor, shellArgv, failedOutcome, shellQuote, DEFAULT_MAX_OUTPUT_TOKENS, DEFAULT_YIELD_MS } from './sessions.js';
export { bwrapArgv, confine, findOnPath, probeSandbox, seatbeltProfile, PROTECTED_SUBPATHS, type SandboxProbe } from './sandbox.js';
export { sandboxDenialIn } from './denial.js';
export { HeadTailBuffer, modelText, truncationMarker, wallSeconds } from './output.js';
export { childStdio, CAPTURE_CAP_CHARS, KILL_GRACE_MS as EXEC_KILL_GRACE_MS } from './process.js';
export { commandEnvironment } from './environment.js';
export { RootPins } from './roots.js';
export type { Launch, BwrapMounts } from './sandbox.js';
