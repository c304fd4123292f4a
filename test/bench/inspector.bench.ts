/**
 * The inspector's page load for `npm run bench`: `statecraft inspect` serving a 1,000-record
 * trace, opened in Debian's chromium (playwright-core) until the page is interactive (its first
 * step rendered), against the charts-only page (`--machines`) opened the same way, in pairs.
 * Without /usr/bin/chromium the figure is reported as skipped.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { chromium, type BrowserContext } from 'playwright-core';
import type { TraceRecord } from '../../actors/runtime/index.js';
import { CLI } from '../support/appServer.js';
import { median } from './measure.js';
import { fmt, record, say } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const RECORDS = 1_000;
const RUNS = 5;

/**
 * A thread's trace of RECORDS records, shaped like a real one: a session and a turn, then tool
 * calls, each an actor with its command machine and approval, events between them, state
 * changes, and the protocol events they emit.
 */
function syntheticTrace(): TraceRecord[] {
  let ts = Date.now();
  const records: TraceRecord[] = [
    { k: 'meta', v: 1, ts, threadId: 'bench-thread' },
    { k: 'actor', ts, a: 'x:0', id: 'session', parent: null, machine: 'session' },
    { k: 'state', ts, a: 'x:0', value: 'inTurn', status: 'active', changed: { threadId: 'bench-thread' } },
    { k: 'actor', ts, a: 'x:1', id: 'turn', parent: 'x:0', machine: 'turn' },
    { k: 'state', ts, a: 'x:1', value: 'dispatching', status: 'active', changed: {} },
  ];
  for (let call = 0; records.length < RECORDS + 1; call++) {
    const [tool, exec, approval] = [`t${call}`, `e${call}`, `p${call}`];
    const callId = `call_${call}`;
    ts += 5;
    records.push(
      { k: 'actor', ts, a: tool, id: callId, parent: 'x:1', machine: 'toolCall' },
      { k: 'state', ts, a: tool, value: 'command', status: 'active', changed: { callId } },
      { k: 'actor', ts, a: exec, id: 'execCall', parent: tool, machine: 'execCall' },
      { k: 'event', ts, a: exec, from: tool, type: 'xstate.init', data: {} },
      { k: 'state', ts, a: exec, value: 'awaitingApproval', status: 'active', changed: { command: `echo ${call}` } },
      { k: 'protocol', ts, method: 'item/started', params: { item: { id: callId, type: 'commandExecution' } } },
      { k: 'actor', ts, a: approval, id: 'approval', parent: exec, machine: 'approval' },
      { k: 'state', ts, a: approval, value: 'asking', status: 'active', changed: {} },
      { k: 'protocol', ts, method: 'item/commandExecution/requestApproval', params: { itemId: callId } },
      { k: 'event', ts, a: approval, from: null, type: 'approval.decide', data: { decision: 'accept' } },
      { k: 'state', ts, a: approval, value: 'resolved', status: 'done', changed: { decision: 'accept' } },
      { k: 'protocol', ts, method: 'serverRequest/resolved', params: { threadId: 'bench-thread' } },
      { k: 'state', ts, a: exec, value: { running: 'sandboxed' }, status: 'active', changed: {} },
      { k: 'deltas', ts, until: ts + 3, count: 40, chars: 800, records: 120, methods: { 'item/commandExecution/outputDelta': 40 } },
      { k: 'state', ts, a: exec, value: 'done', status: 'done', changed: { exitCode: 0 } },
      { k: 'protocol', ts, method: 'item/completed', params: { item: { id: callId, status: 'completed' } } },
      { k: 'state', ts, a: tool, value: 'done', status: 'done', changed: {} },
    );
  }
  return records.slice(0, RECORDS + 1);
}

/** Starts `statecraft inspect ARGS` and resolves with the server and the URL it prints. */
async function inspect(args: string[], home: string): Promise<{ server: ResultPromise; url: string }> {
  const server = execa('node', [CLI, 'inspect', ...args], { env: { STATECRAFT_HOME: home, HOME: home }, reject: false, stdin: 'ignore' });
  for await (const line of createInterface({ input: server.stdout })) if (line.startsWith('http://')) return { server, url: line.trim() };
  throw new Error(`statecraft inspect printed no URL: ${String((await server).stderr)}`);
}

/** Opens the page in a fresh tab and times it until the page's script has drawn its first step (or, for charts alone, its charts). */
async function loadMs(browser: BrowserContext, url: string, ready: string): Promise<number> {
  const page = await browser.newPage();
  const started = performance.now();
  await page.goto(url);
  await page.waitForFunction(ready);
  const elapsed = performance.now() - started;
  await page.close();
  return elapsed;
}

export async function runInspectorBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    say(`inspector page load: skipped (no ${CHROMIUM}; .ci/run installs Debian's chromium)`);
    record({ key: 'inspector.pageLoad1000Ms', unit: 'ms', value: null });
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'statecraft-bench-inspect-'));
  const file = join(root, 'trace-bench.jsonl');
  await writeFile(
    file,
    syntheticTrace()
      .map((one) => `${JSON.stringify(one)}\n`)
      .join(''),
  );
  const traced = await inspect([file], root);
  const charts = await inspect(['--machines'], root);
  const browser = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const stepOne = `document.getElementById('position')?.textContent === 'step 1 of ${RECORDS}'`;
    const chartsDrawn = `document.querySelectorAll('svg.chart').length > 0`;
    // One load of each first: chromium's own start-up is not the page's.
    await loadMs(browser, traced.url, stepOne);
    await loadMs(browser, charts.url, chartsDrawn);
    const tracedMs: number[] = [];
    const chartsMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      tracedMs.push(await loadMs(browser, traced.url, stepOne));
      chartsMs.push(await loadMs(browser, charts.url, chartsDrawn));
    }
    const [withTrace, alone] = [median(tracedMs), median(chartsMs)];
    say(
      `inspector page load, ${RECORDS}-record trace: ${fmt(withTrace)} ms to its first step (median of ${RUNS}); ` +
        `charts alone ${fmt(alone)} ms; ratio ${fmt(withTrace / alone, 2)}x`,
    );
    record({
      key: 'inspector.pageLoad1000Ms',
      unit: 'ms',
      value: withTrace,
      versus: { name: 'charts alone', value: alone, ratio: withTrace / alone },
      runs: RUNS,
    });
  } finally {
    await browser.close();
    for (const { server } of [traced, charts]) server.kill('SIGTERM');
    await Promise.all([traced.server, charts.server]);
    await rm(root, { recursive: true, force: true });
  }
}
