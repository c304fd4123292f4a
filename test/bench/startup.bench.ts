/**
 * Start-up figures for `npm run bench`: `--version` and `--help` against a bare Node start, a
 * whole `exec --json` text turn, and app-server spawn → `initialize` answer. With a Codex path
 * each is also measured for Codex, in alternating pairs, and reported as a ratio.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedServer } from '../../actors/model/index.js';
import { CLI, writeMockProviderConfig } from '../support/appServer.js';
import { codexHome } from './codex.js';
import { alternate, compare, median, runProcess, type ProcessRun } from './measure.js';
import { fmt, mib, record, say } from './report.js';
import { appServers, type AppServerKind } from './appServer.bench.js';

const PAIRS = 9;

/** `--version` and `--help`, each against `node -e 0` in alternating pairs (and `codex --version` when given). */
async function versionAndHelp(codex: string | null): Promise<void> {
  const bare = () => runProcess(['node', '-e', '0']);
  for (const flag of ['--version', '--help']) {
    const paired = await alternate(PAIRS, () => runProcess([CLI, flag]), bare);
    const wall = compare(paired, (run) => run.wallMs)!;
    const cpu = compare(paired, (run) => run.cpuMs)!;
    say(
      `statecraft ${flag}: ${fmt(wall.a)} ms wall, ${fmt(cpu.a, 0)} ms CPU; bare node -e 0 ${fmt(wall.b)} ms; ratio ${fmt(wall.ratio, 2)}x (median of ${PAIRS} alternating pairs)`,
    );
    record({ key: `startup.${flag.slice(2)}.wallMs`, unit: 'ms', value: wall.a, versus: { name: 'node -e 0', value: wall.b, ratio: wall.ratio }, runs: PAIRS });
  }
  if (codex) {
    const paired = await alternate(
      PAIRS,
      () => runProcess([CLI, '--version']),
      () => runProcess([codex, '--version']),
    );
    const wall = compare(paired, (run) => run.wallMs)!;
    say(`--version: statecraft ${fmt(wall.a)} ms, Codex ${fmt(wall.b)} ms; ratio ${fmt(wall.ratio, 2)}x`);
    record({ key: 'startup.version.vsCodex.wallMs', unit: 'ms', value: wall.a, versus: { name: 'codex', value: wall.b, ratio: wall.ratio }, runs: PAIRS });
  }
}

/** One `exec --json --ephemeral` turn answered with text, whole process: wall, CPU and peak memory. */
async function execTextTurn(root: string, codex: string | null): Promise<void> {
  const model = await startScriptedServer({ script: { turns: [] } });
  const workspace = join(root, 'exec-ws');
  await mkdir(workspace, { recursive: true });
  try {
    const home = join(root, 'exec-home');
    await mkdir(home, { recursive: true });
    await writeMockProviderConfig(home, model.url);
    const args = ['exec', '--json', '--ephemeral', '--skip-git-repo-check', '-C', workspace, 'say hi'];
    const ours = () => runProcess([CLI, ...args], { env: { STATECRAFT_HOME: home, HOME: root, OPENAI_API_KEY: '' } });
    const describe = (label: string, runs: ProcessRun[]) =>
      `${label} ${fmt(median(runs.map((r) => r.wallMs)))} ms wall, ${fmt(median(runs.map((r) => r.cpuMs)), 0)} ms CPU, ${fmt(mib(median(runs.map((r) => r.peakKb ?? 0))))} MiB peak`;
    if (!codex) {
      const runs: ProcessRun[] = [];
      for (let i = 0; i < PAIRS; i++) runs.push(await ours());
      say(`exec --json text turn, whole process: ${describe('statecraft', runs)} (median of ${PAIRS})`);
      record(
        { key: 'exec.textTurn.wallMs', unit: 'ms', value: median(runs.map((r) => r.wallMs)), runs: PAIRS },
        { key: 'exec.textTurn.cpuMs', unit: 'ms', value: median(runs.map((r) => r.cpuMs)), runs: PAIRS },
        { key: 'exec.textTurn.peakMiB', unit: 'MiB', value: mib(median(runs.map((r) => r.peakKb ?? 0))), runs: PAIRS },
      );
      return;
    }
    const codexHomeDir = await codexHome(root, 'exec-codex-home', model.url);
    const theirs = () => runProcess([codex, ...args], { env: { CODEX_HOME: codexHomeDir, HOME: root, OPENAI_API_KEY: '' } });
    const paired = await alternate(PAIRS, ours, theirs);
    const wall = compare(paired, (run) => run.wallMs)!;
    const cpu = compare(paired, (run) => run.cpuMs)!;
    const peak = compare(paired, (run) => run.peakKb);
    say(
      `exec --json text turn, whole process: ${describe('statecraft', paired.a)}; ${describe('Codex', paired.b)}; ` +
        `ratios wall ${fmt(wall.ratio, 2)}x, CPU ${fmt(cpu.ratio, 2)}x${peak ? `, peak ${fmt(peak.ratio, 2)}x` : ''} (median of ${PAIRS} alternating pairs)`,
    );
    record(
      { key: 'exec.textTurn.wallMs', unit: 'ms', value: wall.a, versus: { name: 'codex', value: wall.b, ratio: wall.ratio }, runs: PAIRS },
      { key: 'exec.textTurn.cpuMs', unit: 'ms', value: cpu.a, versus: { name: 'codex', value: cpu.b, ratio: cpu.ratio }, runs: PAIRS },
    );
    if (peak)
      record({ key: 'exec.textTurn.peakMiB', unit: 'MiB', value: mib(peak.a), versus: { name: 'codex', value: mib(peak.b), ratio: peak.ratio }, runs: PAIRS });
  } finally {
    await model.close();
  }
}

/** Spawn → `initialize` answer of the app-server, against Codex's or else against a bare Node start. */
async function initialize(root: string, codex: string | null): Promise<void> {
  const model = await startScriptedServer({ script: { turns: [] } });
  try {
    const [ours, theirs] = appServers(codex);
    const timeTo = (kind: AppServerKind, home: string) => async () => {
      const client = kind.start(home, root);
      await client.request('initialize', { clientInfo: { name: 'bench', title: 'bench', version: '0.0.1' } });
      const ms = performance.now() - client.spawnedAt;
      await client.close();
      return ms;
    };
    const ourTime = timeTo(ours, await ours.home(root, 'init-home', model.url));
    const against = theirs ? timeTo(theirs, await theirs.home(root, 'init-codex-home', model.url)) : async () => (await runProcess(['node', '-e', '0'])).wallMs;
    const paired = await alternate(PAIRS, ourTime, against);
    const result = compare(paired, (ms) => ms)!;
    const name = theirs ? 'codex' : 'node -e 0';
    say(
      `app-server spawn to initialize response: statecraft ${fmt(result.a)} ms; ${theirs ? 'Codex' : 'bare node start'} ${fmt(result.b)} ms; ratio ${fmt(result.ratio, 2)}x (median of ${PAIRS} alternating pairs)`,
    );
    record({ key: 'appServer.initialize.ms', unit: 'ms', value: result.a, versus: { name, value: result.b, ratio: result.ratio }, runs: PAIRS });
  } finally {
    await model.close();
  }
}

/** Every start-up figure; called from run.ts first, while nothing else of the bench runs. */
export async function runStartupBench(codex: string | null): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-bench-start-'));
  try {
    await versionAndHelp(codex);
    await execTextTurn(root, codex);
    await initialize(root, codex);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
