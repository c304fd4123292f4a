import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExecSessions, findOnPath } from '../../../actors/exec/index.js';
import { collector, groupRunning, spec, tempDir, waitUntil } from './helpers.js';

const dir = tempDir();
let sessions = new ExecSessions();
afterEach(async () => {
  await sessions.killAll();
  sessions = new ExecSessions();
});
afterAll(() => dir.remove());

describe('ExecSessions.start', () => {
  it('streams stdout and stderr in order, before the process ends', async () => {
    const out = collector();
    const started = Date.now();
    const handle = sessions.start(spec('echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three', dir.path), out);
    expect(handle.processId).toMatch(/^\d+$/);
    const outcome = await handle.done;
    const ended = Date.now();
    expect(out.text()).toBe('one\ntwo\nthree\n');
    expect(out.chunks[0]!.at - started).toBeLessThan(ended - started - 250);
    expect(outcome).toMatchObject({ exitCode: 0, stillRunning: false, interrupted: false, failedToRun: false, processId: handle.processId });
    expect(outcome.aggregatedOutput).toBe('one\ntwo\nthree\n');
    expect(Number.isInteger(outcome.durationMs)).toBe(true);
    expect(outcome.modelOutput).toMatch(/^Exit code: 0\nWall time: [\d.]+ seconds\nOutput:\none\ntwo\nthree\n$/);
  });

  it('reports a non-zero exit code with stderr', async () => {
    const outcome = await sessions.start(spec('echo broken >&2; exit 3', dir.path), collector()).done;
    expect(outcome.exitCode).toBe(3);
    expect(outcome.failedToRun).toBe(false);
    expect(outcome.modelOutput).toMatch(/^Exit code: 3\n[\s\S]*Output:\nbroken\n$/);
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const outcome = await sessions.start(spec(`printf '\\xc3'; sleep 0.1; printf '\\xa9\\n'`, dir.path), collector()).done;
    expect(outcome.aggregatedOutput).toBe('é\n');
  });

  it('runs in the given cwd with the given env, login shell too', async () => {
    const s = spec('pwd; echo $MARK', dir.path, { login: true });
    s.env = { ...s.env, MARK: 'marked' };
    const outcome = await sessions.start(s, collector()).done;
    expect(outcome.aggregatedOutput).toContain(`${dir.path}\nmarked\n`);
  });

  it('fails to run with a clear message when the cwd does not exist', async () => {
    const handle = sessions.start(spec('echo hi', `${dir.path}/missing`), collector());
    const outcome = await handle.done;
    expect(outcome.failedToRun).toBe(true);
    expect(outcome.exitCode).toBeNull();
    expect(outcome.modelOutput).toContain(`${dir.path}/missing`);
  });

  it('fails to run when the shell is missing', async () => {
    const outcome = await sessions.start(spec('echo hi', dir.path, { shell: '/no/such/shell' }), collector()).done;
    expect(outcome.failedToRun).toBe(true);
    expect(outcome.modelOutput).toContain('/no/such/shell');
  });

  it('runs under a pseudo-terminal when tty is asked for', async () => {
    const outcome = await sessions.start(spec('test -t 1 && echo tty || echo pipe', dir.path, { tty: true }), collector()).done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.aggregatedOutput.trim()).toBe(findOnPath('script') ? 'tty' : 'pipe');
  });
});

describe('sessions and write_stdin', () => {
  it('keeps a slow process as a session, takes input and reports the exit', async () => {
    const first = collector();
    const handle = sessions.start(spec('echo ready; read x; echo got $x; read y; echo bye $y', dir.path, { yieldTimeMs: 300 }), first);
    const running = await handle.done;
    expect(running).toMatchObject({ stillRunning: true, exitCode: null });
    expect(running.modelOutput).toMatch(/^Process running with session ID 1\nWall time: [\d.]+ seconds\nOutput:\nready\n$/);
    expect(sessions.describe(1)).toEqual({ command: expect.stringContaining('read x'), cwd: dir.path });

    const second = collector();
    const reply = await sessions.writeStdin(1, { chars: 'apple\n', yieldTimeMs: 300, maxOutputTokens: null }, second).done;
    expect(reply.stillRunning).toBe(true);
    expect(reply.modelOutput).toMatch(/Output:\ngot apple\n$/);
    expect(second.text()).toBe('got apple\n');

    const poll = await sessions.writeStdin(1, { chars: '', yieldTimeMs: 250, maxOutputTokens: null }, collector()).done;
    expect(poll.stillRunning).toBe(true);
    expect(poll.modelOutput).toMatch(/Output:\n$/);

    const last = await sessions.writeStdin(1, { chars: 'pear\n', yieldTimeMs: 2000, maxOutputTokens: null }, collector()).done;
    expect(last).toMatchObject({ stillRunning: false, exitCode: 0 });
    expect(last.modelOutput).toMatch(/^Exit code: 0\n[\s\S]*Output:\nbye pear\n$/);
    expect(sessions.describe(1)).toBeNull();
    expect(() => sessions.writeStdin(1, { chars: '', yieldTimeMs: null, maxOutputTokens: null }, collector())).toThrow(/unknown session_id 1/);
  });

  it('returns as soon as the process exits during a poll', async () => {
    const running = await sessions.start(spec('sleep 0.5; echo late', dir.path, { yieldTimeMs: 250 }), collector()).done;
    expect(running.stillRunning).toBe(true);
    const started = Date.now();
    const done = await sessions.writeStdin(1, { chars: '', yieldTimeMs: 20_000, maxOutputTokens: null }, collector()).done;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(done).toMatchObject({ exitCode: 0, stillRunning: false });
    expect(done.aggregatedOutput).toBe('late\n');
  });

  it('numbers sessions from 1 upward', async () => {
    const a = await sessions.start(spec('sleep 5', dir.path, { yieldTimeMs: 250 }), collector()).done;
    const b = await sessions.start(spec('sleep 5', dir.path, { yieldTimeMs: 250 }), collector()).done;
    expect(a.modelOutput).toContain('session ID 1');
    expect(b.modelOutput).toContain('session ID 2');
  });
});

describe('killing', () => {
  it('kill() ends the whole process group, background children included', async () => {
    const handle = sessions.start(spec('sleep 30 & sleep 30', dir.path), collector());
    const pgid = Number(handle.processId);
    await new Promise((r) => setTimeout(r, 300));
    expect(groupRunning(pgid)).toBe(true);
    handle.kill();
    const outcome = await handle.done;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.stillRunning).toBe(false);
    expect(outcome.exitCode).toBe(143);
    expect(await waitUntil(() => !groupRunning(pgid), 3_000)).toBe(true);
  });

  it('escalates to SIGKILL when TERM is ignored', async () => {
    const handle = sessions.start(spec(`trap '' TERM; echo armed; while :; do sleep 0.1; done`, dir.path), collector());
    const pgid = Number(handle.processId);
    await new Promise((r) => setTimeout(r, 300));
    handle.kill();
    const outcome = await handle.done;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.exitCode).toBe(137);
    expect(await waitUntil(() => !groupRunning(pgid), 3_000)).toBe(true);
  });

  it('finds a daemon a command starts after another command ended (that end settled nothing of the live one)', async () => {
    const pidFile = join(dir.path, 'late-daemon.pid');
    const late = sessions.start(
      spec(`sleep 0.5; setsid sh -c 'echo $$ > ${pidFile}; exec sleep 30' >/dev/null 2>&1 </dev/null & sleep 0.1`, dir.path),
      collector(),
    );
    // This one ends while the first still runs: the pass over /proc its end makes finds the first one's shell.
    await sessions.start(spec('true', dir.path), collector()).done;
    await late.done;
    const daemon = Number(readFileSync(pidFile, 'utf8'));
    expect(groupRunning(daemon)).toBe(true);
    await sessions.reapFinished();
    expect(await waitUntil(() => !groupRunning(daemon), 3_000)).toBe(true);
  });

  it('killAll() stops every session and waits for them', async () => {
    const a = sessions.start(spec('sleep 30 & sleep 30', dir.path, { yieldTimeMs: 250 }), collector());
    const b = sessions.start(spec('sleep 30', dir.path, { yieldTimeMs: 250 }), collector());
    await Promise.all([a.done, b.done]);
    const pgids = [Number(a.processId), Number(b.processId)];
    expect(pgids.every(groupRunning)).toBe(true);
    await sessions.killAll();
    expect(pgids.some(groupRunning)).toBe(false);
    expect(sessions.describe(1)).toBeNull();
  });
});
