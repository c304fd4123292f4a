/**
 * `npm run bench`: performance figures of the built CLI against the scripted model server.
 * Figures are reported next to a baseline measured in the same run, as ratios, because
 * absolute times on shared machines say little.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { startScriptedServer, type Script } from '../../actors/model/index.js';
import { peakRssKb } from '../support/processes.js';
import { runAppServerBench } from './appServer.bench.js';
import { runPatchBench } from './patch.bench.js';
import { runPolicyBench } from './policy.bench.js';

const CLI = resolve(import.meta.dirname, '../../dist/adapters/cli/main.js');
const RUNS = 5;
const DELTAS = 20_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (value: number, digits = 1) => value.toFixed(digits);

interface Run {
  firstEventMs: number;
  totalMs: number;
  peakKb: number | null;
}

/** Runs `statecraft exec --json` against `url`, timing the first JSONL line and the whole run. */
async function runExec(url: string, workspace: string, home: string, extra: string[] = []): Promise<Run> {
  const started = performance.now();
  const child = execa(
    'node',
    [
      CLI,
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

/** Reading the same SSE stream with a plain fetch: the floor for streaming throughput. */
async function rawStreamMs(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', input: [], stream: true }),
  });
  await response.text();
  return performance.now() - started;
}

/** The sizes of the trace files under a home's sessions directory. */
async function traceSizes(home: string): Promise<number[]> {
  const entries = await readdir(join(home, 'sessions'), { recursive: true, withFileTypes: true });
  const traces = entries.filter((entry) => entry.isFile() && entry.name.startsWith('trace-'));
  return Promise.all(traces.map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
}

async function main() {
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
    console.log(`start to first --json event: ${fmt(start)} ms (median of ${RUNS}); bare node start ${fmt(floor)} ms; ratio ${fmt(start / floor, 2)}x`);

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
    console.log(
      `${DELTAS} deltas end to end: ${fmt(run.totalMs)} ms in all, ${fmt(perSecond, 0)} deltas/s after the first event; ` +
        `plain fetch of the same stream ${fmt(rawPerSecond, 0)} deltas/s; ratio ${fmt(rawPerSecond / perSecond, 2)}x slower than the raw stream`,
    );
    // The same turn traced (`--trace`): the inspection stream is subscribed and the trace written beside the rollout.
    const tracedServer = await startScriptedServer({ script: { turns: [bulk] } });
    const traced = await runExec(tracedServer.url, workspace, home, ['--trace']);
    await tracedServer.close();
    const tracedPerSecond = DELTAS / ((traced.totalMs - traced.firstEventMs) / 1000);
    const [traceBytes] = await traceSizes(home);
    console.log(
      `${DELTAS} deltas traced: ${fmt(tracedPerSecond, 0)} deltas/s, untraced ${fmt(perSecond, 0)} deltas/s; ratio ${fmt(perSecond / tracedPerSecond, 2)}x slower traced; ` +
        `trace file ${fmt((traceBytes ?? 0) / 1024)} KiB`,
    );
    if (run.peakKb !== null && idleKb !== null) {
      console.log(`peak RSS during that turn: ${fmt(run.peakKb / 1024)} MiB; idle node ${fmt(idleKb / 1024)} MiB; ratio ${fmt(run.peakKb / idleKb, 2)}x`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
await runAppServerBench();
await runPolicyBench();
await runPatchBench();
