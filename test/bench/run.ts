/**
 * `npm run bench`: performance figures of the built CLI against the scripted model server.
 * Figures are reported next to a baseline measured in the same run, as ratios, because
 * absolute times on shared machines say little.
 *
 *   npm run bench                          statecraft's figures
 *   npm run bench -- --vs-codex PATH       the start-up and app-server figures side by side with
 *                                          Codex (PATH: its `codex` bin), in alternating pairs
 *   npm run bench -- --json                the same, as one JSON document on stdout (lines on stderr)
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startScriptedServer, type Script } from '../../actors/model/index.js';
import { CLI } from '../support/appServer.js';
import { peakRssKb } from '../support/processes.js';
import { runAppServerBench } from './appServer.bench.js';
import { runInspectorBench } from './inspector.bench.js';
import { runMcpBench } from './mcp.bench.js';
import { median, rawStreamMs } from './measure.js';
import { runPatchBench } from './patch.bench.js';
import { runPolicyBench } from './policy.bench.js';
import { finish, fmt, mib, record, reportAsJson, say } from './report.js';
import { runStartupBench } from './startup.bench.js';
import { runTuiBench } from './tui.bench.js';

const RUNS = 5;
const DELTAS = 20_000;

interface Run {
  firstEventMs: number;
  totalMs: number;
  peakKb: number | null;
}

/** Runs `statecraft exec --json` against `url`, timing the first JSONL line and the whole run. */
async function runExec(url: string, workspace: string, home: string, extra: string[] = []): Promise<Run> {
  const started = performance.now();
  const child = execa(
    CLI,
    [
      'exec',
      '--json',
      '--skip-git-repo-check',
      '-C',
      workspace,
      '-c',
      'model_provider="bench"',
      '-c',
      `model_providers.bench.base_url="${url}"`,
      '-c',
      'model_providers.bench.name="bench"',
      '-s',
      'danger-full-access',
      ...extra,
      'go',
    ],
    { env: { STATECRAFT_HOME: home, OPENAI_API_KEY: '' }, stdin: 'ignore', buffer: false, reject: false },
  );
  let firstEventMs = Number.NaN;
  let peakKb: number | null = null;
  const sampler = setInterval(() => {
    if (child.pid) peakKb = peakRssKb(child.pid) ?? peakKb;
  }, 20);
  child.stdout.once('data', () => (firstEventMs = performance.now() - started));
  const result = await child;
  clearInterval(sampler);
  if (result.exitCode !== 0) throw new Error(`statecraft exec failed (exit ${result.exitCode}): ${String(result.stderr)}`);
  return { firstEventMs, totalMs: performance.now() - started, peakKb };
}

/** A bare Node start, the floor any CLI start-up is measured against. */
async function nodeStartMs(): Promise<number> {
  const started = performance.now();
  await execa('node', ['-e', 'process.stdout.write("x")']);
  return performance.now() - started;
}

/** The sizes of the trace files under a home's sessions directory. */
async function traceSizes(home: string): Promise<number[]> {
  const entries = await readdir(join(home, 'sessions'), { recursive: true, withFileTypes: true });
  const traces = entries.filter((entry) => entry.isFile() && entry.name.startsWith('trace-'));
  return Promise.all(traces.map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
}

/** `exec`: time to the first JSONL event, and a 20,000-delta answer streamed to stdout. */
async function execFigures() {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-bench-'));
  const home = join(root, 'home');
  const workspace = root;
  const answer: Script = { turns: [[{ text: 'Done.' }]] };
  const bulk: Script['turns'][number] = [{ text: 'x'.repeat(DELTAS), chunks: ['x'], repeat: DELTAS }];

  try {
    const nodeStarts: number[] = [];
    const firstEvents: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      nodeStarts.push(await nodeStartMs());
      const server = await startScriptedServer({ script: answer });
      firstEvents.push((await runExec(server.url, workspace, home)).firstEventMs);
      await server.close();
    }
    const start = median(firstEvents);
    const floor = median(nodeStarts);
    say(`start to first --json event: ${fmt(start)} ms (median of ${RUNS}); bare node start ${fmt(floor)} ms; ratio ${fmt(start / floor, 2)}x`);
    record({ key: 'exec.firstEventMs', unit: 'ms', value: start, versus: { name: 'node start', value: floor, ratio: start / floor }, runs: RUNS });

    const rawServer = await startScriptedServer({ script: { turns: [bulk] } });
    const rawMs = await rawStreamMs(rawServer.url);
    await rawServer.close();
    const server = await startScriptedServer({ script: { turns: [bulk] } });
    const run = await runExec(server.url, workspace, home);
    await server.close();
    const idle = execa('node', ['-e', 'setTimeout(() => {}, 300)']);
    await new Promise((done) => setTimeout(done, 150));
    const idleKb = idle.pid ? peakRssKb(idle.pid) : null;
    await idle;

    // Streaming time only: the process start before the first event is measured above.
    const perSecond = DELTAS / ((run.totalMs - run.firstEventMs) / 1000);
    const rawPerSecond = DELTAS / (rawMs / 1000);
    say(
      `${DELTAS} deltas end to end: ${fmt(run.totalMs)} ms in all, ${fmt(perSecond, 0)} deltas/s after the first event; ` +
        `plain fetch of the same stream ${fmt(rawPerSecond, 0)} deltas/s; ratio ${fmt(rawPerSecond / perSecond, 2)}x slower than the raw stream`,
    );
    record({
      key: 'exec.stream.deltasPerSecond',
      unit: 'per s',
      value: perSecond,
      versus: { name: 'raw stream', value: rawPerSecond, ratio: perSecond / rawPerSecond },
    });
    // The same turn traced (`--trace`): the inspection stream is subscribed and the trace written beside the rollout.
    const tracedServer = await startScriptedServer({ script: { turns: [bulk] } });
    const traced = await runExec(tracedServer.url, workspace, home, ['--trace']);
    await tracedServer.close();
    const tracedPerSecond = DELTAS / ((traced.totalMs - traced.firstEventMs) / 1000);
    const [traceBytes] = await traceSizes(home);
    say(
      `${DELTAS} deltas traced: ${fmt(tracedPerSecond, 0)} deltas/s, untraced ${fmt(perSecond, 0)} deltas/s; ratio ${fmt(perSecond / tracedPerSecond, 2)}x slower traced; ` +
        `trace file ${fmt((traceBytes ?? 0) / 1024)} KiB`,
    );
    record({
      key: 'exec.stream.tracedDeltasPerSecond',
      unit: 'per s',
      value: tracedPerSecond,
      versus: { name: 'untraced', value: perSecond, ratio: tracedPerSecond / perSecond },
    });
    if (run.peakKb !== null && idleKb !== null) {
      say(`peak RSS during that turn: ${fmt(mib(run.peakKb))} MiB; idle node ${fmt(mib(idleKb))} MiB; ratio ${fmt(run.peakKb / idleKb, 2)}x`);
      record({
        key: 'exec.stream.peakMiB',
        unit: 'MiB',
        value: mib(run.peakKb),
        versus: { name: 'idle node', value: mib(idleKb), ratio: run.peakKb / idleKb },
      });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { 'vs-codex': { type: 'string' }, json: { type: 'boolean', default: false } } });
const codex = values['vs-codex'] ?? null;
if (values.json) reportAsJson();
/**
 * Node reads NODE_EXTRA_CA_CERTS at every start, before any program code runs (a whole CA
 * bundle, some 50 ms on a machine that sets it): a cost of the environment, paid alike by
 * statecraft and by Codex's Node launcher, that would blur both programs' own figures.
 */
const unset = ['NODE_EXTRA_CA_CERTS'].filter((name) => process.env[name] !== undefined);
for (const name of unset) delete process.env[name];
if (unset.length > 0) say(`bench: the measured processes run without ${unset.join(', ')} (set in this environment)`);
await runStartupBench(codex);
await execFigures();
await runAppServerBench(codex);
await runPolicyBench();
await runPatchBench();
await runMcpBench();
await runInspectorBench();
await runTuiBench();
finish({ versusCodex: codex, unsetEnvironment: unset });
