/**
 * Ways a command already inside the sandbox could take it apart: using root's capabilities,
 * mounting, new namespaces, tracing, sockets with the network off, creating the protected
 * folders that did not exist yet, and moving a writable root so the next command binds
 * something else. Runs as root and as an unprivileged user (CI does both).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecSessions, probeSandbox, type SandboxSpec } from '../../actors/exec/index.js';
import { collector, spec } from '../actors/exec/helpers.js';

const probe = await probeSandbox();
const sessions = new ExecSessions();
// Outside every writable root: the temp dirs are writable, /var/tmp is not.
const victim = mkdtempSync('/var/tmp/statecraft-victim-');
const root = mkdtempSync(join(tmpdir(), 'statecraft-hardening-'));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

afterAll(async () => {
  await sessions.killAll();
  rmSync(victim, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh workspace with nothing in it (no .git, no .statecraft). */
function workspace(): string {
  const ws = join(root, `ws${n++}`);
  mkdirSync(ws, { recursive: true });
  return ws;
}

const confined = (ws: string, networkAccess = false): SandboxSpec => ({ mode: 'workspace-write', writableRoots: [ws], networkAccess });
const run = (cmd: string, cwd: string, sandbox: SandboxSpec, yieldTimeMs = 20_000) =>
  sessions.start(spec(cmd, cwd, { sandbox, yieldTimeMs }), collector()).done;
/** Runs a Python script (given line by line) in a fresh confined workspace. */
const python = (lines: string[], networkAccess = false) => {
  const ws = workspace();
  writeFileSync(join(ws, 'probe.py'), `${lines.join('\n')}\n`);
  return run(`${PYTHON} probe.py`, ws, confined(ws, networkAccess));
};

describe.skipIf(!probe.available)('a sandboxed command keeps no power to undo the sandbox', () => {
  it('has no effective capabilities, even when statecraft runs as root', async () => {
    const ws = workspace();
    const outcome = await run('grep CapEff /proc/self/status', ws, confined(ws));
    expect(outcome.exitCode).toBe(0);
    expect(outcome.aggregatedOutput).toMatch(/^CapEff:\s+0{16}\s*$/);
  });

  it('cannot remount the read-only root writable', async () => {
    const ws = workspace();
    const outcome = await run(`mount -o remount,bind,rw / && touch ${victim}/remounted`, ws, confined(ws));
    expect(outcome.exitCode).not.toBe(0);
    expect(existsSync(join(victim, 'remounted'))).toBe(false);
  });

  it('cannot make new namespaces (no user namespace to regain capabilities in)', async () => {
    const ws = workspace();
    const outcome = await run('unshare -U true && echo made-a-namespace', ws, confined(ws));
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.aggregatedOutput).not.toContain('made-a-namespace');
  });

  it('cannot trace processes, not even its own child', async () => {
    const outcome = await python([
      'import ctypes, os, signal, time',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'child = os.fork()',
      'if child == 0:',
      '    time.sleep(5); os._exit(0)',
      'print(libc.ptrace(16, child, 0, 0), ctypes.get_errno())  # PTRACE_ATTACH',
      'os.kill(child, signal.SIGKILL)',
    ]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.aggregatedOutput.trim()).toBe('-1 1');
  });

  it('with the network off, opens Unix sockets but no others', async () => {
    const script = [
      'import socket',
      'for name in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"):',
      '    try:',
      '        socket.socket(getattr(socket, name)).close(); print(name, "ok")',
      '    except OSError as e: print(name, e.errno)',
    ];
    const off = await python(script);
    expect(off.aggregatedOutput.trim().split('\n')).toEqual(['AF_INET 1', 'AF_INET6 1', 'AF_NETLINK 1', 'AF_UNIX ok']);
    const on = await python(script, true);
    expect(on.aggregatedOutput).toContain('AF_INET ok');
  });

  it('forks and runs threads as usual', async () => {
    const ws = workspace();
    const outcome = await run(
      `(echo child) & wait; ${PYTHON} -c 'import threading; t = threading.Thread(target=print, args=("thread",)); t.start(); t.join()'`,
      ws,
      confined(ws),
    );
    expect(outcome.exitCode).toBe(0);
    expect(outcome.aggregatedOutput).toBe('child\nthread\n');
  });
});

describe.skipIf(!probe.available)('protected folders are read-only whether or not they exist yet', () => {
  it('cannot create .statecraft, .git or .codex in a writable root, yet writes beside them', async () => {
    const ws = workspace();
    const attempts = [
      'mkdir -p .statecraft/rules && echo "[[rule]]" > .statecraft/rules/x.toml',
      'git init -q .',
      'mkdir .codex',
      'ln -s /var/tmp .statecraft',
      'mv .statecraft gone',
    ];
    for (const cmd of attempts) {
      const outcome = await run(cmd, ws, confined(ws));
      expect(outcome.exitCode, `${cmd}: ${outcome.aggregatedOutput}`).not.toBe(0);
    }
    const ok = await run('echo kept > file.txt', ws, confined(ws));
    expect(ok.exitCode).toBe(0);
    // Nothing of the protection stays behind in the workspace.
    expect(readdirSync(ws).sort()).toEqual(['file.txt']);
  });

  it('stays protected for a running command while a shorter one ends', async () => {
    const ws = workspace();
    const long = sessions.start(spec('sleep 1; mkdir -p .statecraft/rules && echo created', ws, { sandbox: confined(ws), yieldTimeMs: 250 }), collector());
    expect((await long.done).stillRunning).toBe(true);
    expect((await run('true', ws, confined(ws))).exitCode).toBe(0);
    const sessionId = sessions.liveSessionIds().at(-1)!;
    const end = await sessions.writeStdin(sessionId, { chars: '', yieldTimeMs: 10_000, maxOutputTokens: null }, collector()).done;
    expect(end.exitCode).not.toBe(0);
    expect(end.aggregatedOutput).not.toContain('created');
    expect(readdirSync(ws)).toEqual([]);
  });

  it('keeps an existing .statecraft read-only as before', async () => {
    const ws = workspace();
    mkdirSync(join(ws, '.statecraft'));
    const outcome = await run('echo x > .statecraft/config.toml', ws, confined(ws));
    expect(outcome.exitCode).not.toBe(0);
    expect(readdirSync(join(ws, '.statecraft'))).toEqual([]);
  });
});

describe.skipIf(!probe.available)('writable roots are pinned to the directory they were', () => {
  it('refuses to run when a root was swapped for a symlink since the thread started', async () => {
    // The workspace sits inside another writable root (/tmp); a command moves its parent away
    // and plants a relative symlink where the workspace was.
    const base = mkdtempSync(join(tmpdir(), 'statecraft-pin-'));
    const ws = join(base, 'parent', 'ws');
    mkdirSync(ws, { recursive: true });
    const sandbox: SandboxSpec = { mode: 'workspace-write', writableRoots: [ws, tmpdir()], networkAccess: false };
    const depth = base.split('/').length;
    const up = '../'.repeat(depth);
    const swap = await run(`mv ${base}/parent ${base}/moved && mkdir ${base}/parent && ln -s ${up}${victim.slice(1)} ${base}/parent/ws`, ws, sandbox);
    expect(swap.exitCode, swap.aggregatedOutput).toBe(0);

    const next = await run('touch escaped.txt', ws, sandbox);
    expect(next.failedToRun, next.modelOutput).toBe(true);
    expect(next.modelOutput).toMatch(/writable root .*ws.* (changed|no longer)/);
    expect(existsSync(join(victim, 'escaped.txt'))).toBe(false);
    rmSync(base, { recursive: true, force: true });
  });

  it('binds a root given as a symlink to where it points', async () => {
    const target = join(workspace(), 'target');
    mkdirSync(target);
    const link = join(root, `link${n++}`);
    symlinkSync(target, link);
    const ws = workspace();
    const outcome = await run(`touch ${link}/through-link.txt`, ws, { mode: 'workspace-write', writableRoots: [ws, link], networkAccess: false });
    expect(outcome.exitCode, outcome.aggregatedOutput).toBe(0);
    expect(existsSync(join(target, 'through-link.txt'))).toBe(true);
  });
});
