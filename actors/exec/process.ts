import { readdirSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';
import { HeadTailBuffer } from './output.js';

/** Characters of output kept per read (head and tail halves); more is counted, not stored. */
export const CAPTURE_CAP_CHARS = 1024 * 1024;
/** How long TERM gets before KILL. */
const KILL_GRACE_MS = 2_000;
/** After the shell exits, how long to wait for its pipes to drain (background children may hold them). */
const DRAIN_GRACE_MS = 200;

export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
  /** Set when nothing could be spawned. */
  spawnError: string | null;
}

/**
 * The variable that marks every process a command starts: children inherit it, so a
 * daemon that left the command's process group and session (setsid, a double fork) is
 * still found and killed with it.
 */
const EXEC_TAG_VARIABLE = 'STATECRAFT_EXEC_ID';
let tags = 0;

/** Commands that may still have processes alive, by tag; killed if this process exits. */
const liveCommands = new Map<string, ExecProcess>();
/**
 * Commands a pass over /proc found no tagged process of, after they were spawned. That stays
 * true: a tagged process is only ever started by another one (children inherit the variable).
 * Remembering it spares a /proc pass per question when many commands end together.
 */
const untagged = new WeakSet<ExecProcess>();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    const { byTag } = scanTagged();
    for (const [tag, command] of liveCommands) {
      if (command.pid !== undefined) signalGroup(command.pid, 'SIGKILL');
      signalPids(byTag.get(tag) ?? [], 'SIGKILL');
    }
  });
}

/** Clock ticks after boot at which a process started (field 22 of its stat). */
const startTicks = (pid: string) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ', 20)[19]);
};
let ownStart: number | undefined;

/**
 * One pass over /proc: the live processes (zombies aside) whose environment carries one of
 * this process's tags, by tag. `conclusive` is false when a process started after this one
 * could not be read (a setuid program, say): it may be a command's, so its absence proves nothing.
 */
function scanTagged(): { byTag: Map<string, number[]>; conclusive: boolean } {
  const byTag = new Map<string, number[]>();
  let conclusive = true;
  if (process.platform !== 'linux') return { byTag, conclusive: false };
  const marker = Buffer.from(`${EXEC_TAG_VARIABLE}=${process.pid}.`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return { byTag, conclusive: false };
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57 || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH' && conclusive) {
        try {
          ownStart ??= startTicks('self');
          if (startTicks(entry) >= ownStart) conclusive = false;
        } catch {
          // exited meanwhile
        }
      }
      continue;
    }
    const at = environ.indexOf(marker);
    if (at === -1 || (at > 0 && environ[at - 1] !== 0)) continue;
    try {
      if (isZombie(entry)) continue;
    } catch {
      continue;
    }
    const end = environ.indexOf(0, at);
    const tag = environ.toString('latin1', at + EXEC_TAG_VARIABLE.length + 1, end === -1 ? environ.length : end);
    byTag.set(tag, [...(byTag.get(tag) ?? []), Number(entry)]);
  }
  return { byTag, conclusive };
}

/** Pids of the live processes carrying the tag of `command`; a conclusive pass also settles every live command it found nothing of. */
function taggedPids(command: ExecProcess): number[] {
  if (untagged.has(command)) return [];
  const { byTag, conclusive } = scanTagged();
  if (conclusive) for (const [tag, live] of [[command.tag, command] as const, ...liveCommands]) if (!byTag.has(tag)) untagged.add(live);
  return byTag.get(command.tag) ?? [];
}

function signalPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

const isZombie = (pid: string) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const state = stat[stat.lastIndexOf(')') + 2];
  return state === 'Z' || state === 'X';
};

/** Send a signal to a whole process group; false when the group no longer exists. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the group still has a running member. Zombies count as gone: orphans wait for
 * PID 1 to reap them, which in some containers takes a while.
 */
function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  return livingMembers(pgid) > 0;
}

function livingMembers(pgid: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 1;
  }
  let count = 0;
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the parenthesised name: state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') count++;
    } catch {
      // exited meanwhile
    }
  }
  return count;
}

/**
 * The standard streams (piped, or the caller's), then the extra entries: bytes for the child
 * to read, or a descriptor it inherits at that index. execa passes an integer through to
 * Node, which does exactly that; its types only admit integers for the standard streams,
 * hence the cast.
 */
export const childStdio = <T extends 'pipe' | 'inherit' = 'pipe'>(extra: (Uint8Array | number)[], standard: T = 'pipe' as T) =>
  [standard, standard, standard, ...extra] as unknown as [T, T, T];

const signalNumber = (signal: string) => (osConstants.signals as Record<string, number | undefined>)[signal];

/**
 * One spawned child leading its own process group. Output from stdout and stderr is
 * decoded incrementally, forwarded to the current listener in arrival order and kept
 * (bounded) until the next read takes it.
 */
export class ExecProcess {
  readonly pid: number | undefined;
  readonly startedAt = Date.now();
  /** Set once kill() was called. */
  killed = false;
  /** Where new output goes right now (the call waiting on this process), if anywhere. */
  listener: ((chunk: string) => void) | null;
  readonly exited: Promise<ProcessExit>;
  private unread = new HeadTailBuffer(CAPTURE_CAP_CHARS);
  private finished: ProcessExit | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly child: ResultPromise;

  /** The value of EXEC_TAG_VARIABLE in this command's processes. */
  readonly tag = `${process.pid}.${++tags}`;

  constructor(argv: string[], options: { cwd: string; env: Record<string, string>; stdio?: (Uint8Array | number)[] }, listener: (chunk: string) => void) {
    this.listener = listener;
    const [file, ...args] = argv;
    this.child = execa(file!, args, {
      cwd: options.cwd,
      env: { ...options.env, [EXEC_TAG_VARIABLE]: this.tag },
      extendEnv: false,
      detached: true,
      cleanup: true,
      reject: false,
      buffer: false,
      stdio: childStdio(options.stdio ?? []),
    });
    // The result promise only settles once every pipe closes; outcomes come from child events.
    this.child.catch(() => undefined);
    this.pid = this.child.pid;
    if (this.pid !== undefined) {
      installExitHook();
      liveCommands.set(this.tag, this);
    }
    this.exited = new Promise<ProcessExit>((resolve) => {
      const finish = (exit: ProcessExit) => {
        if (this.finished) return;
        this.finished = exit;
        resolve(exit);
      };
      this.child.on('error', (error: Error) => {
        if (this.pid === undefined) finish({ exitCode: null, signal: null, spawnError: error.message });
      });
      this.child.on('exit', (code, signal) => {
        const exit: ProcessExit = {
          exitCode: code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : null),
          signal: signal ?? null,
          spawnError: null,
        };
        const streams = [this.child.stdout, this.child.stderr].filter((s): s is Readable => s !== null);
        const drained = Promise.all(streams.map((s) => new Promise<void>((done) => (s.readableEnded || s.destroyed ? done() : s.once('close', () => done())))));
        const timer = setTimeout(() => {
          for (const stream of streams) stream.destroy();
          finish(exit);
        }, DRAIN_GRACE_MS);
        void drained.then(() => {
          clearTimeout(timer);
          finish(exit);
        });
      });
    });
    void this.exited.then(() => {
      this.child.stdin?.destroy();
      if (!this.groupMayLive) liveCommands.delete(this.tag);
    });
    this.attach(this.child.stdout);
    this.attach(this.child.stderr);
    this.child.stdin?.on('error', () => undefined);
  }

  get running(): boolean {
    return this.pid !== undefined && this.finished === null;
  }

  get exit(): ProcessExit | null {
    return this.finished;
  }

  private attach(stream: Readable | null) {
    if (!stream) return;
    const decoder = new TextDecoder('utf-8');
    stream.on('data', (data: Buffer) => this.emit(decoder.decode(data, { stream: true })));
    stream.on('end', () => this.emit(decoder.decode()));
    stream.on('error', () => undefined);
  }

  private emit(text: string) {
    if (text.length === 0) return;
    this.unread.push(text);
    this.listener?.(text);
  }

  /** Output since the previous call, handing over the buffer and starting a fresh one. */
  takeUnread(): HeadTailBuffer {
    const taken = this.unread;
    this.unread = new HeadTailBuffer(CAPTURE_CAP_CHARS);
    return taken;
  }

  /** Write to the child's stdin; resolves once handed to the OS (or the pipe is gone). */
  write(chars: string): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable || chars.length === 0) return Promise.resolve();
    return new Promise((resolve) => stdin.write(chars, () => resolve()));
  }

  /** TERM the whole group and every tagged process now, and KILL them after a grace period. */
  kill(): void {
    if (this.pid === undefined) return;
    this.killed = true;
    this.signalAll('SIGTERM');
    if (this.killTimer) return;
    this.killTimer = setTimeout(() => this.signalAll('SIGKILL'), KILL_GRACE_MS);
    this.killTimer.unref();
  }

  private signalAll(signal: NodeJS.Signals) {
    if (this.pid !== undefined) signalGroup(this.pid, signal);
    signalPids(taggedPids(this), signal);
  }

  /** Kill everything this command started and wait until it is gone (KILL after the grace period); true if it went. */
  async terminate(): Promise<boolean> {
    if (this.pid === undefined) return true;
    if (!this.groupMayLive) {
      liveCommands.delete(this.tag);
      return true;
    }
    this.kill();
    const deadline = Date.now() + KILL_GRACE_MS + 1_000;
    let forced = false;
    while (Date.now() < deadline) {
      if (this.finished !== null && !this.groupMayLive) break;
      if (!forced && Date.now() > deadline - 1_000) {
        forced = true;
        this.signalAll('SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const gone = !this.groupMayLive;
    if (gone) liveCommands.delete(this.tag);
    return gone;
  }

  /** Whether anything this command started may still run: its process group, or a tagged process that left it. */
  get groupMayLive(): boolean {
    return this.pid !== undefined && (groupAlive(this.pid) || taggedPids(this).length > 0);
  }

  /** Resolves once the command has exited and nothing it started runs any more (checked at a slowing pace). */
  async gone(): Promise<void> {
    await this.exited;
    for (let wait = 10; this.groupMayLive; wait = Math.min(wait * 2, 1_000)) await new Promise((r) => setTimeout(r, wait));
  }
}
