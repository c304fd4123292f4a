import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bwrapArgv,
  confine,
  ExecSessions,
  launchFor,
  probeSandbox,
  PROTECTED_SUBPATHS,
  RootPins,
  seatbeltProfile,
  shellArgv,
  type SandboxSpec,
} from '../../../actors/exec/index.js';
import { processesRunning, uniqueSleep } from '../../support/processes.js';
import { collector, spec, tempDir } from './helpers.js';

const probe = await probeSandbox();

const dir = tempDir();
const outside = tempDir();
afterAll(() => {
  dir.remove();
  outside.remove();
});

describe('bwrapArgv', () => {
  const mounts = { roots: [{ path: dir.path, fd: 4 }], readOnly: [join(dir.path, '.git')], seccompFd: 3 };

  it('binds the roots by descriptor, then their protected folders read-only, and drops every capability', () => {
    const sandbox: SandboxSpec = { mode: 'workspace-write', writableRoots: [dir.path], networkAccess: false };
    expect(bwrapArgv(sandbox, dir.path, ['/bin/bash', '-c', 'true'], mounts)).toEqual([
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--bind-fd',
      '4',
      dir.path,
      '--ro-bind',
      join(dir.path, '.git'),
      join(dir.path, '.git'),
      '--unshare-net',
      '--unshare-pid',
      '--new-session',
      '--die-with-parent',
      '--cap-drop',
      'ALL',
      '--seccomp',
      '3',
      '--chdir',
      dir.path,
      '/bin/bash',
      '-c',
      'true',
    ]);
  });

  it('binds nothing writable in read-only mode and keeps the network when allowed', () => {
    const args = bwrapArgv({ mode: 'read-only', writableRoots: [dir.path], networkAccess: true }, '/', [], mounts);
    expect(args).not.toContain('--bind-fd');
    expect(args).not.toContain('--unshare-net');
    expect(args.slice(-2)).toEqual(['--chdir', '/']);
  });
});

describe('confine and launchFor', () => {
  it('runs the shell as is without a sandbox, and wraps it in bwrap with one', () => {
    expect(launchFor(spec('echo hi', dir.path), new RootPins())).toMatchObject({ argv: ['/bin/bash', '-c', 'echo hi'], stdio: [] });
    expect(shellArgv(spec('echo hi', dir.path, { login: true }))).toEqual(['/bin/bash', '-lc', 'echo hi']);
    const wrapped = launchFor(spec('echo hi', dir.path, { sandbox: { mode: 'read-only', writableRoots: [], networkAccess: false } }), new RootPins());
    if ('problem' in wrapped) throw new Error(wrapped.problem);
    expect(wrapped.argv[0]).toMatch(/(^|\/)bwrap$/);
    expect(wrapped.argv.slice(-3)).toEqual(['/bin/bash', '-c', 'echo hi']);
  });

  it('hands the seccomp program and each root over as descriptors, and leaves no placeholder behind', () => {
    const ws = tempDir();
    mkdirSync(join(ws.path, '.git'));
    const launch = confine({ mode: 'workspace-write', writableRoots: [ws.path, '/no/such/root'], networkAccess: false }, ws.path, ['true'], {
      pins: new RootPins(),
    });
    if ('problem' in launch) throw new Error(launch.problem);
    expect(launch.stdio[0]).toBeInstanceOf(Uint8Array);
    expect(typeof launch.stdio[1]).toBe('number');
    const args = launch.argv.join(' ');
    expect(args).toContain(`--bind-fd 4 ${ws.path} `);
    expect(args).not.toContain('/no/such/root');
    for (const sub of PROTECTED_SUBPATHS) expect(args).toContain(`--ro-bind ${join(ws.path, sub)} ${join(ws.path, sub)}`);
    // The missing ones exist (as placeholders) until the launch is finished with.
    expect(readdirSync(ws.path).sort()).toEqual(['.codex', '.git', '.statecraft']);
    launch.spawned();
    launch.finished();
    expect(readdirSync(ws.path)).toEqual(['.git']);
    ws.remove();
  });
});

describe('probeSandbox', () => {
  it('answers once, with a reason when unavailable', async () => {
    expect(await probeSandbox()).toBe(probe);
    if (!probe.available) expect(probe.reason).toMatch(/bwrap|bubblewrap/);
    else expect(probe.reason).toBeNull();
  });
});

describe.skipIf(!probe.available)('inside the sandbox', () => {
  const sessions = new ExecSessions();
  const write = (mode: SandboxSpec['mode']): SandboxSpec => ({ mode, writableRoots: [dir.path], networkAccess: false });

  it('may write inside a writable root', async () => {
    const outcome = await sessions.start(spec('echo ok > inside.txt && cat inside.txt', dir.path, { sandbox: write('workspace-write') }), collector()).done;
    expect(outcome.exitCode).toBe(0);
    expect(existsSync(join(dir.path, 'inside.txt'))).toBe(true);
  });

  it('may not write outside the writable roots', async () => {
    mkdirSync(join(outside.path, 'sub'), { recursive: true });
    const target = join(outside.path, 'sub', 'nope.txt');
    const outcome = await sessions.start(spec(`echo no > '${target}'`, dir.path, { sandbox: write('workspace-write') }), collector()).done;
    expect(outcome.exitCode).not.toBe(0);
    expect(existsSync(target)).toBe(false);
  });

  it('may not write anywhere in read-only mode', async () => {
    const outcome = await sessions.start(spec('echo no > ro.txt', dir.path, { sandbox: write('read-only') }), collector()).done;
    expect(outcome.exitCode).not.toBe(0);
    expect(existsSync(join(dir.path, 'ro.txt'))).toBe(false);
  });

  it('has only loopback networking', async () => {
    const outcome = await sessions.start(
      spec(`tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`, dir.path, { sandbox: write('workspace-write') }),
      collector(),
    ).done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.aggregatedOutput.trim()).toBe('lo');
  });

  it('may not write into .git of a writable root (hooks would run outside the sandbox)', async () => {
    mkdirSync(join(dir.path, '.git', 'hooks'), { recursive: true });
    const outcome = await sessions.start(spec('echo evil > .git/hooks/pre-commit', dir.path, { sandbox: write('workspace-write') }), collector()).done;
    expect(outcome.exitCode).not.toBe(0);
    expect(existsSync(join(dir.path, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });

  it('ends every process the command started when it is killed, background ones included', async () => {
    const marker = uniqueSleep();
    const handle = sessions.start(spec(`sleep ${marker} & sleep ${marker}`, dir.path, { sandbox: write('workspace-write') }), collector());
    await new Promise((r) => setTimeout(r, 300));
    expect(processesRunning(['sleep', marker])).toBeGreaterThan(0);
    handle.kill();
    const outcome = await handle.done;
    expect(outcome.interrupted).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(processesRunning(['sleep', marker])).toBe(0);
    await sessions.killAll();
  });
});

describe('seatbeltProfile (macOS)', () => {
  it('writes only inside the roots, never into their protected subpaths, and networks only when allowed', () => {
    const profile = seatbeltProfile({ mode: 'workspace-write', writableRoots: ['/ws', '/ws'], networkAccess: false });
    expect(profile).toContain('(deny default)');
    expect(profile.match(/\(allow file-write\* \(subpath "\/ws"\)\)/g)).toHaveLength(1);
    for (const sub of ['.git', '.statecraft', '.codex']) expect(profile).toContain(`(deny file-write* (subpath "/ws/${sub}"))`);
    expect(profile).not.toContain('network');
    const readOnly = seatbeltProfile({ mode: 'read-only', writableRoots: ['/ws'], networkAccess: true });
    expect(readOnly).not.toContain('subpath "/ws"');
    expect(readOnly).toContain('(allow network*)');
  });
});
