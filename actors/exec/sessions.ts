import { statSync } from 'node:fs';
import type { ExecOutcome } from '../../machines/index.js';
import { modelText, type HeadTailBuffer } from './output.js';
import { failedOutcome } from './outcome.js';
import { ExecProcess, CAPTURE_CAP_CHARS, type ProcessExit } from './process.js';
import { RootPins } from './roots.js';
import { confine, findOnPath, type Launch } from './sandbox.js';
import { sandboxDenialIn } from './denial.js';
import type { ExecHandle, ExecSpec, OutputSink, StdinRequest } from './types.js';

const DEFAULT_YIELD_MS = 10_000;
/** A poll (write_stdin without input) waits longer by default than a keystroke. */
const DEFAULT_POLL_YIELD_MS = 5_000;
const DEFAULT_INPUT_YIELD_MS = 250;
const MIN_YIELD_MS = 250;
const MAX_YIELD_MS = 30_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 10_000;
/** Rough size of a token, used to turn a token budget into characters. */
const CHARS_PER_TOKEN = 4;

const clampYield = (ms: number | null, fallback: number) => Math.min(MAX_YIELD_MS, Math.max(MIN_YIELD_MS, ms ?? fallback));
const charLimit = (tokens: number | null) => Math.max(1, tokens ?? DEFAULT_MAX_OUTPUT_TOKENS) * CHARS_PER_TOKEN;
/** One word as a POSIX shell reads it back: plain when it is safe as is, else single-quoted. */
export const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);

interface Session {
  id: number;
  process: ExecProcess;
  spec: ExecSpec;
}

/** The shell invocation of a spec, maybe under a pty (`script`); unconfined. */
export function shellArgv(spec: ExecSpec): string[] {
  const flag = spec.login ? '-lc' : '-c';
  const inner = [spec.shell, flag, spec.command];
  if (!spec.tty) return inner;
  // util-linux `script` gives the command a pseudo-terminal; without it tty is ignored.
  const script = findOnPath('script', spec.env.PATH ?? process.env.PATH);
  return script ? [script, '-qfec', inner.map(shellQuote).join(' '), '/dev/null'] : inner;
}

/** How a spec is started: unconfined, or confined by its sandbox with the thread's pinned roots. */
export function launchFor(spec: ExecSpec, pins: RootPins): Launch | { problem: string } {
  const argv = shellArgv(spec);
  if (!spec.sandbox) return { argv, stdio: [], spawned: () => {}, finished: () => {}, holdsPlaceholders: false };
  return confine(spec.sandbox, spec.cwd, argv, { pins, path: spec.env.PATH ?? process.env.PATH });
}

/**
 * The processes of one thread: starts commands, keeps those that outlive their yield
 * time as numbered sessions the model can write to and poll, and kills them all on demand.
 */
export class ExecSessions {
  private nextId = 1;
  private readonly sessions = new Map<number, Session>();
  /** Every process started here whose group may still be alive. */
  private readonly spawned = new Set<ExecProcess>();

  /** `roots`: the writable roots as they were when the thread (or the turn naming them) started. */
  constructor(readonly roots: RootPins = new RootPins()) {}

  start(spec: ExecSpec, sink: OutputSink): ExecHandle {
    const callStart = Date.now();
    const refused = (problem: string): ExecHandle => ({
      processId: null,
      kill: () => undefined,
      done: Promise.resolve(failedOutcome(`failed to run \`${spec.displayCommand}\`: ${problem}`)),
    });
    const cwdProblem = checkCwd(spec.cwd);
    if (cwdProblem) return refused(cwdProblem);
    const launch = launchFor(spec, this.roots);
    if ('problem' in launch) return refused(launch.problem);
    const proc = new ExecProcess(launch.argv, { cwd: spec.cwd, env: spec.env, stdio: launch.stdio }, (chunk) => sink.onOutput(chunk));
    launch.spawned();
    // Placeholders go once nothing of the sandbox is left that could still need them.
    if (launch.holdsPlaceholders) void proc.gone().then(() => launch.finished());
    if (proc.pid !== undefined) {
      this.spawned.add(proc);
      // Forget it once it and everything it started are gone; killAll covers what remains.
      void proc.exited.then(() => {
        if (!proc.groupMayLive) this.spawned.delete(proc);
      });
    }
    const listener = proc.listener;
    const done = this.settle(proc, spec, null, callStart, clampYield(spec.yieldTimeMs, DEFAULT_YIELD_MS), spec.maxOutputTokens).finally(() => {
      if (proc.listener === listener) proc.listener = null;
    });
    return { processId: proc.pid === undefined ? null : String(proc.pid), kill: () => proc.kill(), done };
  }

  writeStdin(sessionId: number, request: StdinRequest, sink: OutputSink): ExecHandle {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`write_stdin: unknown session_id ${sessionId}: the process has ended or never existed`);
    const callStart = Date.now();
    const { process: proc } = session;
    const listener = (chunk: string) => sink.onOutput(chunk);
    proc.listener = listener;
    const yieldMs = clampYield(request.yieldTimeMs, request.chars.length === 0 ? DEFAULT_POLL_YIELD_MS : DEFAULT_INPUT_YIELD_MS);
    const done = proc
      .write(request.chars)
      .then(() => this.settle(proc, session.spec, session.id, callStart, yieldMs - (Date.now() - callStart), request.maxOutputTokens))
      .finally(() => {
        if (proc.listener === listener) proc.listener = null;
      });
    return { processId: String(proc.pid), kill: () => proc.kill(), done };
  }

  describe(sessionId: number): { command: string; cwd: string } | null {
    const session = this.sessions.get(sessionId);
    return session ? { command: session.spec.displayCommand, cwd: session.spec.cwd } : null;
  }

  /** Session ids of processes still running in the background. */
  liveSessionIds(): number[] {
    return [...this.sessions.keys()];
  }

  /**
   * Ends what finished commands left behind (background children, daemons) at the end of a
   * turn; sessions still running stay, for the model to come back to.
   */
  async reapFinished(): Promise<void> {
    const procs = [...this.spawned].filter((proc) => !proc.running);
    await Promise.all(procs.map((proc) => proc.terminate()));
    for (const proc of procs) if (!proc.groupMayLive) this.spawned.delete(proc);
  }

  /** Kill every process group started here and wait for them to go. */
  async killAll(): Promise<void> {
    const procs = [...this.spawned];
    await Promise.all(procs.map((proc) => proc.terminate()));
    for (const proc of procs) if (!proc.groupMayLive) this.spawned.delete(proc);
    this.sessions.clear();
  }

  /** Wait for exit or the yield deadline, whichever first, and describe the call's result. */
  private async settle(
    proc: ExecProcess,
    spec: ExecSpec,
    sessionId: number | null,
    callStart: number,
    waitMs: number,
    maxTokens: number | null,
  ): Promise<ExecOutcome> {
    let exit = await raceTimeout(proc.exited, Math.max(0, waitMs));
    // A kill during the wait means the caller wants the end, not a session.
    if (exit === null && proc.killed) exit = await proc.exited;
    const durationMs = Math.round(Date.now() - callStart);
    const output = proc.takeUnread();
    const limit = charLimit(maxTokens);
    if (exit === null) {
      const id = sessionId ?? this.register(proc, spec);
      return {
        exitCode: null,
        stillRunning: true,
        interrupted: false,
        failedToRun: false,
        sandboxDenial: null,
        processId: String(proc.pid),
        aggregatedOutput: output.render(CAPTURE_CAP_CHARS).text,
        durationMs,
        modelOutput: modelText({ kind: 'running', sessionId: id }, durationMs, output, limit),
      };
    }
    if (sessionId !== null) this.sessions.delete(sessionId);
    if (exit.spawnError !== null) {
      this.spawned.delete(proc);
      return failedOutcome(`failed to run \`${spec.displayCommand}\`: ${exit.spawnError}`, durationMs);
    }
    return finishedOutcome(proc, exit, output, durationMs, limit, spec.sandbox !== null);
  }

  private register(proc: ExecProcess, spec: ExecSpec): number {
    const id = this.nextId++;
    // The session stays after an unobserved exit until a poll reports the exit code.
    this.sessions.set(id, { id, process: proc, spec });
    return id;
  }
}

function finishedOutcome(proc: ExecProcess, exit: ProcessExit, output: HeadTailBuffer, durationMs: number, limit: number, sandboxed: boolean): ExecOutcome {
  const aggregatedOutput = output.render(CAPTURE_CAP_CHARS).text;
  // Only an interrupted turn kills a command; the model reads it as aborted, as Codex words it.
  const note = proc.killed
    ? `Aborted: the turn was interrupted, so the process was killed${exit.signal ? ` by ${exit.signal}` : ''}.`
    : exit.signal
      ? `Process terminated by ${exit.signal}.`
      : undefined;
  return {
    exitCode: exit.exitCode,
    stillRunning: false,
    interrupted: proc.killed,
    failedToRun: false,
    sandboxDenial: sandboxed && !proc.killed ? sandboxDenialIn(aggregatedOutput, exit.exitCode) : null,
    processId: String(proc.pid),
    aggregatedOutput,
    durationMs,
    modelOutput: modelText({ kind: 'exited', exitCode: exit.exitCode }, durationMs, output, limit, note),
  };
}

function checkCwd(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `working directory ${cwd} is not a directory`;
  } catch {
    return `working directory ${cwd} does not exist`;
  }
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
