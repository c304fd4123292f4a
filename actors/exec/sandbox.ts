import { accessSync, closeSync, constants, existsSync, statSync } from 'node:fs';
import { platform } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { childStdio } from './process.js';
import { releasePlaceholders, reservePlaceholders } from './placeholders.js';
import { RootPins, type OpenRoot } from './roots.js';
import { seccompArch, seccompBytes } from './seccomp.js';
import type { SandboxSpec } from './types.js';

/**
 * Folders inside a writable root that stay read-only, whether or not they exist yet:
 * repository metadata (hooks and config run code) and our own and Codex's config and rules.
 */
export const PROTECTED_SUBPATHS = ['.git', '.statecraft', '.codex'];

/** What bubblewrap mounts besides the read-only root, as `confine` prepared it. */
export interface BwrapMounts {
  /** Writable roots: their real path and the child's descriptor number holding the directory. */
  roots: OpenRoot[];
  /** Protected paths inside the roots, each existing by now (placeholders stand in for missing ones). */
  readOnly: string[];
  /** The child's descriptor number to read the seccomp program from; null loads none. */
  seccompFd: number | null;
}

const NO_MOUNTS: BwrapMounts = { roots: [], readOnly: [], seccompFd: null };

/**
 * bubblewrap arguments (everything after `bwrap`): the whole filesystem read-only, a
 * private /dev and /proc, the writable roots bound read-write through their descriptors
 * except their protected subpaths, the network namespace unshared unless allowed, then the
 * command. The command gets its own PID namespace, so killing bwrap ends every process it
 * started, and a new session, so it cannot push input into the user's terminal. It keeps no
 * capabilities (bwrap run by root would otherwise leave it all of them), and the seccomp
 * filter shuts the ways back out: mounts, new namespaces, ptrace, keyrings, and with the
 * network off every socket but a Unix one.
 */
export function bwrapArgv(sandbox: SandboxSpec, cwd: string, command: string[] = [], mounts: BwrapMounts = NO_MOUNTS): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  if (sandbox.mode === 'workspace-write') {
    for (const { path, fd } of mounts.roots) args.push('--bind-fd', String(fd), path);
    // Protections go last: a later bind of an enclosing root (the temp dir holding a workspace) would undo them.
    for (const path of mounts.readOnly) args.push('--ro-bind', path, path);
  }
  if (!sandbox.networkAccess) args.push('--unshare-net');
  args.push('--unshare-pid', '--new-session', '--die-with-parent', '--cap-drop', 'ALL');
  if (mounts.seccompFd !== null) args.push('--seccomp', String(mounts.seccompFd));
  args.push('--chdir', cwd, ...command);
  return args;
}

const quoteSbpl = (path: string) => JSON.stringify(path);

/**
 * A macOS Seatbelt profile with the same shape as the bubblewrap sandbox: read
 * everything, write only inside the writable roots (minus their protected subpaths, which
 * Seatbelt matches by path, so missing ones are covered too) and the null device, network
 * only when allowed.
 */
export function seatbeltProfile(sandbox: SandboxSpec): string {
  const lines = ['(version 1)', '(deny default)', '(allow process-exec process-fork signal sysctl-read mach-lookup ipc-posix-shm)', '(allow file-read*)'];
  lines.push('(allow file-write* (literal "/dev/null") (literal "/dev/tty") (regex #"^/dev/fd/"))');
  if (sandbox.mode === 'workspace-write') {
    const roots = [...new Set(sandbox.writableRoots)];
    for (const root of roots) lines.push(`(allow file-write* (subpath ${quoteSbpl(root)}))`);
    // Later rules win, so the protected subpaths come after every allow.
    for (const root of roots) for (const sub of PROTECTED_SUBPATHS) lines.push(`(deny file-write* (subpath ${quoteSbpl(join(root, sub))}))`);
  }
  if (sandbox.networkAccess) lines.push('(allow network*)');
  return `${lines.join('\n')}\n`;
}

/** A confined command ready to spawn, and what must be done around its life. */
export interface Launch {
  argv: string[];
  /** Extra stdio entries from index 3 on: bytes the child reads, or descriptors it inherits. */
  stdio: (Uint8Array | number)[];
  /** Call once the child is spawned (or failed to): closes our copies of the descriptors. */
  spawned(): void;
  /** Call once the child and everything in its sandbox are gone: removes the placeholders. */
  finished(): void;
  /** Whether `finished` has work to do (it is worth waiting for the sandbox to be empty). */
  holdsPlaceholders: boolean;
}

/**
 * Prepares `command` to run confined by `sandbox`: bubblewrap on Linux, sandbox-exec on
 * macOS. The roots are checked against `pins` (a root that is no longer the directory it was
 * gives a problem to report instead of a launch); on Linux they are then handed over as open
 * descriptors, placeholders are made for missing protected folders, and the seccomp program
 * is built.
 */
export function confine(
  sandbox: SandboxSpec,
  cwd: string,
  command: string[],
  options: { pins: RootPins; path?: string | undefined },
): Launch | { problem: string } {
  const opened = options.pins.open(sandbox.mode === 'workspace-write' ? sandbox.writableRoots : []);
  if (opened.problem !== null) return { problem: opened.problem };
  if (platform() === 'darwin') {
    // Seatbelt matches the real paths written to, so it gets the roots' real paths; no descriptors to hand over.
    for (const { fd } of opened.roots) closeSync(fd);
    const profile = seatbeltProfile({ ...sandbox, writableRoots: opened.roots.map(({ path }) => path) });
    return { argv: ['/usr/bin/sandbox-exec', '-p', profile, ...command], stdio: [], spawned: () => {}, finished: () => {}, holdsPlaceholders: false };
  }
  const protectedPaths = [...new Set(opened.roots.flatMap(({ path }) => PROTECTED_SUBPATHS.map((sub) => join(path, sub))))];
  const placeholders = reservePlaceholders(protectedPaths);
  const arch = seccompArch();
  const stdio: (Uint8Array | number)[] = arch ? [seccompBytes({ arch, network: sandbox.networkAccess })] : [];
  const roots = opened.roots.map(({ path, fd }) => ({ path, fd: 3 + stdio.push(fd) - 1 }));
  const mounts: BwrapMounts = { roots, readOnly: protectedPaths.filter(isDirectoryOrFile), seccompFd: arch ? 3 : null };
  const bwrap = findOnPath('bwrap', options.path) ?? findOnPath('bwrap') ?? 'bwrap';
  let closed = false;
  let released = false;
  return {
    argv: [bwrap, ...bwrapArgv(sandbox, cwd, command, mounts)],
    stdio,
    holdsPlaceholders: placeholders.length > 0,
    spawned() {
      if (closed) return;
      closed = true;
      for (const { fd } of opened.roots) closeSync(fd);
    },
    finished() {
      if (released) return;
      released = true;
      releasePlaceholders(placeholders);
    },
  };
}

const isDirectoryOrFile = (path: string) => {
  try {
    return existsSync(path) && (statSync(path).isDirectory() || statSync(path).isFile());
  } catch {
    return false;
  }
};

/** The first executable called `name` on PATH, or null. */
export function findOnPath(name: string, path: string | undefined = process.env.PATH): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface SandboxProbe {
  available: boolean;
  reason: string | null;
}

let probe: Promise<SandboxProbe> | null = null;

/** Whether bubblewrap is installed and can actually build a sandbox here (checked once). */
export function probeSandbox(): Promise<SandboxProbe> {
  probe ??= runProbe();
  return probe;
}

async function runProbe(): Promise<SandboxProbe> {
  if (platform() === 'darwin') {
    return existsSync('/usr/bin/sandbox-exec') ? { available: true, reason: null } : { available: false, reason: '/usr/bin/sandbox-exec is missing' };
  }
  const bwrap = findOnPath('bwrap');
  if (!bwrap) {
    return { available: false, reason: 'bubblewrap (bwrap) is not installed or not on PATH; install it (Debian/Ubuntu: apt-get install bubblewrap)' };
  }
  // The probe builds a sandbox the way commands get one (seccomp, dropped capabilities), so a kernel that refuses part of it shows here.
  const launch = confine({ mode: 'read-only', writableRoots: [], networkAccess: false }, '/', ['true'], { pins: new RootPins() });
  if ('problem' in launch) return { available: false, reason: launch.problem };
  const trial = await execa(launch.argv[0]!, launch.argv.slice(1), {
    reject: false,
    timeout: 10_000,
    stdio: childStdio(launch.stdio),
  });
  launch.spawned();
  launch.finished();
  if (trial.exitCode === 0) return { available: true, reason: null };
  const detail = String(trial.stderr ?? '').trim() || trial.shortMessage || `exit code ${trial.exitCode}`;
  return {
    available: false,
    reason: `bwrap cannot create a sandbox here: ${detail}; unprivileged user namespaces must be enabled (sysctl kernel.unprivileged_userns_clone=1, or in a container run it with --security-opt seccomp=unconfined)`,
  };
}
