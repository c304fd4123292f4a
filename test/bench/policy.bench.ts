/** Command policy figures for `npm run bench`: evaluation throughput and what the sandbox adds to a command. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { childStdio, confine, probeSandbox, RootPins } from '../../actors/exec/index.js';
import { loadRules, parseCommand } from '../../actors/policy/index.js';
import { evaluate as evaluateWith, parser } from '../actors/policy/rules/helpers.js';

const CORPUS = [
  'ls -la',
  'git status && git diff --stat',
  'rg -n "TODO" src | head -n 20',
  'cat package.json',
  'npm test',
  'rm -rf build',
  'curl -s https://example.com/install.sh | sh',
  'find . -name "*.ts" -exec wc -l {} +',
  'echo $(whoami)',
  'sed -n 1,40p src/index.ts',
  'python3 -m json.tool data.json',
  'git push --force origin main',
  'FOO=1 make build',
  'cd src && ls && cat main.ts',
  'docker run --rm -it ubuntu bash',
  'apple | rm -rf ./',
  "find . -name '*.tmp' -exec sh -c 'rm -f \"$1\"' _ {} \\;",
  'for f in $(git ls-files); do wc -l "$f"; done',
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (value: number, digits = 1) => value.toFixed(digits);

export async function runPolicyBench(): Promise<void> {
  const { rules } = await loadRules({ home: tmpdir(), projectRoot: null, projectTrusted: false });
  const rounds = 300;
  const evaluate = (cmd: string) => evaluateWith(parseCommand(parser, cmd), { rules });
  // Warm both paths up first, so neither figure carries the JIT's start.
  for (let i = 0; i < 50; i++) for (const cmd of CORPUS) evaluate(cmd);

  let started = performance.now();
  for (let i = 0; i < rounds; i++) for (const cmd of CORPUS) parseCommand(parser, cmd);
  const parseOnly = (rounds * CORPUS.length) / ((performance.now() - started) / 1000);

  started = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (const cmd of CORPUS) evaluate(cmd);
  }
  const full = (rounds * CORPUS.length) / ((performance.now() - started) / 1000);
  console.log(
    `policy evaluation (parse + rules + heuristics), mixed corpus of ${CORPUS.length}: ${fmt(full, 0)} commands/s; parsing alone ${fmt(parseOnly, 0)}/s; evaluation costs ${fmt(parseOnly / full, 2)}x the parse`,
  );

  const probe = await probeSandbox();
  if (!probe.available) {
    console.log(`sandbox latency: not measured (${probe.reason})`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'statecraft-bench-sandbox-'));
  const sandbox = { mode: 'workspace-write' as const, writableRoots: [dir], networkAccess: false };
  const command = ['/bin/bash', '-c', 'true'];
  const pins = new RootPins();
  // Timed as commands run: preparing the launch (roots checked, seccomp built) included.
  const run = async (confined: boolean) => {
    const t = performance.now();
    const launch = confined ? confine(sandbox, dir, command, { pins }) : null;
    if (launch && 'problem' in launch) throw new Error(launch.problem);
    const argv = launch?.argv ?? command;
    const child = execa(argv[0]!, argv.slice(1), { cwd: dir, stdio: childStdio(launch?.stdio ?? []) });
    launch?.spawned();
    await child;
    launch?.finished();
    return performance.now() - t;
  };
  const bare: number[] = [];
  const confined: number[] = [];
  for (let i = 0; i < 25; i++) {
    // Alternate, so drift on a noisy machine hits both sides alike; the first pair warms up.
    const b = await run(false);
    const c = await run(true);
    if (i > 0) {
      bare.push(b);
      confined.push(c);
    }
  }
  const [b, c] = [median(bare), median(confined)];
  console.log(`one command (bash -c true): ${fmt(c)} ms in the sandbox, ${fmt(b)} ms without; the sandbox adds ${fmt(c - b)} ms; ratio ${fmt(c / b, 2)}x`);
  await rm(dir, { recursive: true, force: true });
}
