/** `statecraft ... | head`: when the reader goes away the CLI ends quietly, with no stack trace. */
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../actors/exec/helpers.js';
import { livePidsMatching, uniqueSleep } from '../support/processes.js';
import { CLI, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

/** What a process ended by SIGPIPE reports, as `yes | head -1` does for `yes`. */
const BROKEN_PIPE = 141;

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** Runs `argv | reader` in bash; returns the CLI's exit status and what it wrote to stderr. */
async function piped(argv: string[], reader: string, env: Record<string, string> = {}) {
  const script = `node ${[CLI, ...argv].map(quote).join(' ')} | ${reader}; echo "cli-status=\${PIPESTATUS[0]}"`;
  const result = await execa('bash', ['-c', script], { reject: false, stdin: 'ignore', env: { OPENAI_API_KEY: '', ...env }, timeout: 60_000 });
  const status = /cli-status=(\d+)/.exec(String(result.stdout))?.[1];
  return { status: status === undefined ? null : Number(status), stderr: String(result.stderr) };
}

const noStack = (stderr: string) => {
  expect(stderr).not.toMatch(/EPIPE|Error:|^\s+at /m);
};

describe('statecraft into a reader that goes away', () => {
  it('execpolicy check | true: exits quietly', async () => {
    const { status, stderr } = await piped(['execpolicy', 'check', '--', 'git status && rm -rf build'], 'true');
    expect(status).toBe(BROKEN_PIPE);
    noStack(stderr);
  });

  it('exec | head -1: exits quietly and leaves no command running', async () => {
    const sleep = uniqueSleep();
    const s = (current = await scene({
      turns: [[{ call: 'exec_command', args: { cmd: `seq 1 200000; sleep ${sleep}`, yield_time_ms: 30_000 } }], [{ text: 'done' }]],
    }));
    const { status, stderr } = await piped(
      ['exec', '--skip-git-repo-check', '-C', s.workspace, ...s.providerFlags, '-s', 'danger-full-access', 'count'],
      'head -1',
      { HOME: s.root, STATECRAFT_HOME: s.home },
    );
    expect(status).toBe(BROKEN_PIPE);
    noStack(stderr);
    expect(await waitUntil(() => livePidsMatching(sleep).length === 0, 5_000)).toBe(true);
  });
});
