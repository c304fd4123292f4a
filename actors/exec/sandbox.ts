import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { platform } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { SandboxSpec } from './types.js';

/** Directories inside a writable root that stay read-only: repository metadata (hooks run code) and our own config. */
export const PROTECTED_SUBPATHS = ['.git', '.statecraft', '.codex'];

/**
 * bubblewrap arguments (everything after `bwrap`): the whole filesystem read-only, a
 * private /dev and /proc, the writable roots that exist bound read-write except their
 * protected subpaths, the network namespace unshared unless allowed, then the command.
 * The command gets its own PID namespace, so killing bwrap ends every process it started,
 * and a new session, so it cannot push input into the user's terminal.
 */
export function bwrapArgv(sandbox: SandboxSpec, cwd: string, command: string[] = []): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  if (sandbox.mode === 'workspace-write') {
    const roots = [...new Set(sandbox.writableRoots)].filter(isDirectoryOrFile);
    for (const root of roots) args.push('--bind', root, root);
    // Protections go last: a later bind of an enclosing root (the temp dir holding a workspace) would undo them.
    for (const root of roots) {
      for (const sub of PROTECTED_SUBPATHS) {
        const path = join(root, sub);
        if (isDirectoryOrFile(path)) args.push('--ro-bind', path, path);
      }
    }
  }
  if (!sandbox.networkAccess) args.push('--unshare-net');
  args.push('--unshare-pid', '--new-session', '--die-with-parent', '--chdir', cwd, ...command);
  return args;
}

const quoteSbpl = (path: string) => JSON.stringify(path);

/**
 * A macOS Seatbelt profile with the same shape as the bubblewrap sandbox: read
 * everything, write only inside the writable roots (minus their protected subpaths) and
 * the null device, network only when allowed.
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

/** The argv that runs `command` confined by `sandbox`: bubblewrap on Linux, sandbox-exec on macOS. */
export function confinedArgv(sandbox: SandboxSpec, cwd: string, command: string[], path: string | undefined = process.env.PATH): string[] {
  if (platform() === 'darwin') return ['/usr/bin/sandbox-exec', '-p', seatbeltProfile(sandbox), ...command];
  const bwrap = findOnPath('bwrap', path) ?? findOnPath('bwrap') ?? 'bwrap';
  return [bwrap, ...bwrapArgv(sandbox, cwd, command)];
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
  const trial = await execa(bwrap, [...bwrapArgv({ mode: 'read-only', writableRoots: [], networkAccess: false }, '/'), 'true'], {
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  });
  if (trial.exitCode === 0) return { available: true, reason: null };
  const detail = String(trial.stderr ?? '').trim() || trial.shortMessage || `exit code ${trial.exitCode}`;
  return {
    available: false,
    reason: `bwrap cannot create a sandbox here: ${detail}; unprivileged user namespaces must be enabled (sysctl kernel.unprivileged_userns_clone=1, or in a container run it with --security-opt seccomp=unconfined)`,
  };
}
