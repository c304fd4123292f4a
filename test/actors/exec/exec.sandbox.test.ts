import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapArgv, commandArgv, ExecSessions, probeSandbox, seatbeltProfile, type SandboxSpec } from '../../../actors/exec/index.js';
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
  it('binds existing writable roots, unshares the network and runs the command in cwd', () => {
    const sandbox: SandboxSpec = { mode: 'workspace-write', writableRoots: [dir.path, '/no/such/root', dir.path], networkAccess: false };
    expect(bwrapArgv(sandbox, dir.path, ['/bin/bash', '-c', 'true'])).toEqual([
      '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc',
      '--bind', dir.path, dir.path,
      '--unshare-net', '--unshare-pid', '--new-session', '--die-with-parent', '--chdir', dir.path,
      '/bin/bash', '-c', 'true',
    ]);
  });

  it('keeps .git and .statecraft inside a writable root read-only', () => {
    mkdirSync(join(dir.path, '.git'), { recursive: true });
    const args = bwrapArgv({ mode: 'workspace-write', writableRoots: [dir.path], networkAccess: false }, dir.path);
    const git = join(dir.path, '.git');
    expect(args.join(' ')).toContain(`--bind ${dir.path} ${dir.path} --ro-bind ${git} ${git}`);
    expect(args).not.toContain(join(dir.path, '.statecraft'));
  });

  it('binds nothing writable in read-only mode and keeps the network when allowed', () => {
    const args = bwrapArgv({ mode: 'read-only', writableRoots: [dir.path], networkAccess: true }, '/');
    expect(args).not.toContain('--bind');
    expect(args).not.toContain('--unshare-net');
    expect(args.slice(-3)).toEqual(['--die-with-parent', '--chdir', '/']);
  });

  it('wraps the shell invocation in bwrap only when a sandbox is given', () => {
    expect(commandArgv(spec('echo hi', dir.path))).toEqual(['/bin/bash', '-c', 'echo hi']);
    expect(commandArgv(spec('echo hi', dir.path, { login: true }))).toEqual(['/bin/bash', '-lc', 'echo hi']);
    const wrapped = commandArgv(spec('echo hi', dir.path, { sandbox: { mode: 'read-only', writableRoots: [], networkAccess: false } }));
    expect(wrapped[0]).toMatch(/(^|\/)bwrap$/);
    expect(wrapped.slice(-3)).toEqual(['/bin/bash', '-c', 'echo hi']);
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
    const outcome = await sessions.start(spec(`tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`, dir.path, { sandbox: write('workspace-write') }), collector()).done;
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
    expect(profile).toContain('(deny file-write* (subpath "/ws/.git"))');
    expect(profile).not.toContain('network');
    const readOnly = seatbeltProfile({ mode: 'read-only', writableRoots: ['/ws'], networkAccess: true });
    expect(readOnly).not.toContain('subpath "/ws"');
    expect(readOnly).toContain('(allow network*)');
  });
});
