export type { ExecHandle, ExecSpec, OutputSink, SandboxSpec } from './types.js';
export { ExecSessions, launchFor, shellArgv, shellQuote } from './sessions.js';
export { failedOutcome } from './outcome.js';
export { bwrapArgv, confine, findOnPath, probeSandbox, seatbeltProfile, PROTECTED_SUBPATHS } from './sandbox.js';
export { HeadTailBuffer, modelText, wallSeconds } from './output.js';
export { childStdio, CAPTURE_CAP_CHARS } from './process.js';
export { commandEnvironment } from './environment.js';
export { RootPins } from './roots.js';
export type { Launch } from './sandbox.js';
