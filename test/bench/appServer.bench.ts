/**
 * App-server figures for `npm run bench`: request round trips, five short turns on one thread,
 * a long streamed turn, 100 concurrent turns that each run a command, and memory under a slow
 * client. Each figure is printed next to a baseline measured in this same run (Codex's own
 * app-server when the bench has its path, in alternating pairs), with the ratio between them.
 * Nothing is asserted.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { startScriptedServer, type Script, type ScriptedServer } from '../../actors/model/index.js';
import { spawnAppServer } from '../support/appServer.js';
import { peakRssKb } from '../support/processes.js';
import { codexHome } from './codex.js';
import { alternate, compare, median, treePeakSampler } from './measure.js';
import { fmt, mib as toMib, record, say } from './report.js';

const ROUND_TRIPS = 20;
const SHORT_TURNS = 5;
const DELTAS = 20_000;
const THREADS = 100;
/** Pairs for the figures against Codex that take seconds a run. */
const HEAVY_PAIRS = 3;
const SHORT_TURN_PAIRS = 7;

type Json = any;

const mib = (kb: number) => `${fmt(toMib(kb))} MiB`;

function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** A home directory whose config.toml points the default provider at `url`. */
async function makeHome(root: string, name: string, url: string): Promise<string> {
  const home = join(root, name);
  await mkdir(home, { recursive: true });
  await writeFile(
    join(home, 'config.toml'),
    [
      'model_provider = "bench"',
      '',
      '[model_providers.bench]',
      'name = "bench"',
      `base_url = "${url}"`,
      'request_max_retries = 1',
      'stream_max_retries = 1',
      '',
    ].join('\n'),
  );
  return home;
}

/** A minimal stdio JSON-RPC client around one app-server process (statecraft's or Codex's: they speak the same protocol). */
class Client {
  readonly spawnedAt = performance.now();
  private nextId = 0;
  private readonly waiting = new Map<number, (msg: Json) => void>();
  private readonly listeners = new Set<(msg: Json) => void>();

  constructor(readonly child: ResultPromise) {
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let msg: Json;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if ('id' in msg && ('result' in msg || 'error' in msg)) {
        const done = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        done?.(msg);
      } else if ('id' in msg && 'method' in msg) {
        // Approvals should not happen with approvalPolicy never; accept anyway so nothing hangs.
        this.child.stdin!.write(`${JSON.stringify({ id: msg.id, result: { decision: 'accept' } })}\n`);
      } else {
        for (const listener of this.listeners) listener(msg);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  request(method: string, params: Json = {}): Promise<Json> {
    const id = this.nextId++;
    const answered = new Promise<Json>((done) => this.waiting.set(id, done));
    this.child.stdin!.write(`${JSON.stringify({ id, method, params })}\n`);
    return deadline(answered, 60_000, `response to ${method}`).then((msg) => {
      if (msg.error) throw new Error(`${method} failed: ${JSON.stringify(msg.error)}`);
      return msg.result;
    });
  }

  notify(method: string): void {
    this.child.stdin!.write(`${JSON.stringify({ method })}\n`);
  }

  listen(listener: (msg: Json) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async handshake(): Promise<void> {
    await this.request('initialize', { clientInfo: { name: 'bench', title: 'bench', version: '0.0.1' } });
    this.notify('initialized');
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    const exited = await Promise.race([this.child.then(() => true), new Promise<false>((done) => setTimeout(() => done(false), 3000))]);
    if (!exited) {
      this.child.kill('SIGKILL');
      await this.child;
    }
  }
}

/** Resolves with the turn/completed notification of `threadId`. */
function turnCompleted(client: Client, threadId: string): Promise<Json> {
  return new Promise((done) => {
    const stop = client.listen((msg) => {
      if (msg.method === 'turn/completed' && msg.params?.threadId === threadId) {
        stop();
        done(msg.params);
      }
    });
  });
}

const textInput = (text: string) => [{ type: 'text', text, text_elements: [] }];

/** One kind of app-server the bench drives: how to configure its home for a model URL and start it. */
export interface AppServerKind {
  name: 'statecraft' | 'Codex';
  home(root: string, name: string, url: string): Promise<string>;
  start(home: string, root: string): Client;
}

const statecraftServer: AppServerKind = {
  name: 'statecraft',
  home: makeHome,
  start: (home, root) => new Client(spawnAppServer(home, root)),
};

const codexServer = (codex: string): AppServerKind => ({
  name: 'Codex',
  home: codexHome,
  start: (home, root) =>
    new Client(
      execa(codex, ['app-server'], {
        env: { CODEX_HOME: home, HOME: root, OPENAI_API_KEY: '' },
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'pipe',
        reject: false,
        buffer: { stdout: false, stderr: true },
      }),
    ),
});

/** statecraft's app-server, and Codex's when the bench has its path. */
export const appServers = (codex: string | null): [AppServerKind, AppServerKind | null] => [statecraftServer, codex ? codexServer(codex) : null];

// 1. Round trips --------------------------------------------------------------------------

async function roundTrips(root: string, home: string, workspace: string): Promise<void> {
  const client = statecraftServer.start(home, root);
  try {
    await client.handshake();
    let started = 0;
    const timed = async (method: string, params: Json) => {
      const times: number[] = [];
      for (let i = 0; i < ROUND_TRIPS; i++) {
        started = performance.now();
        await client.request(method, params);
        times.push(performance.now() - started);
      }
      return median(times);
    };
    const modelList = await timed('model/list', {});
    const threadStart = await timed('thread/start', { cwd: workspace, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    say(
      `thread/start round trip: ${fmt(threadStart, 2)} ms (median of ${ROUND_TRIPS}); model/list round trip ${fmt(modelList, 2)} ms on the same server; ` +
        `ratio ${fmt(threadStart / modelList, 2)}x`,
    );
    record({
      key: 'appServer.threadStart.roundTripMs',
      unit: 'ms',
      value: threadStart,
      versus: { name: 'model/list', value: modelList, ratio: threadStart / modelList },
      runs: ROUND_TRIPS,
    });
  } finally {
    await client.close();
  }
}

/** Starts a thread that works in `workspace` without asking, runs `turns` turns on it in a row; the ms from the first turn/start to the last turn/completed. */
async function turnsInARow(
  client: Client,
  workspace: string,
  turns: number,
  onThread: (threadId: string) => void = () => {},
): Promise<{ ms: number; statuses: string[] }> {
  await client.handshake();
  const { thread } = await client.request('thread/start', { cwd: workspace, approvalPolicy: 'never', sandbox: 'danger-full-access' });
  onThread(thread.id);
  const statuses: string[] = [];
  const started = performance.now();
  for (let i = 0; i < turns; i++) {
    const completed = turnCompleted(client, thread.id);
    await client.request('turn/start', { threadId: thread.id, input: textInput(`turn ${i + 1}: say hi`) });
    statuses.push((await deadline(completed, 60_000, `turn ${i + 1}`)).turn?.status);
  }
  return { ms: performance.now() - started, statuses };
}

// 2. Short turns in a row -----------------------------------------------------------------

/** The cost of a turn itself: five text turns on one thread, against Codex when given (else statecraft alone). */
async function shortTurns(root: string, workspace: string, codex: AppServerKind | null): Promise<void> {
  const model = await startScriptedServer({ script: { turns: [] } });
  try {
    const run = async (kind: AppServerKind, home: string) => {
      const client = kind.start(home, root);
      try {
        const { ms, statuses } = await turnsInARow(client, workspace, SHORT_TURNS);
        if (statuses.some((status) => status !== 'completed')) throw new Error(`${kind.name}: a short turn ended ${statuses.join(', ')}`);
        return ms;
      } finally {
        await client.close();
      }
    };
    const ours = await statecraftServer.home(root, 'home-short', model.url);
    if (!codex) {
      const times: number[] = [];
      for (let i = 0; i < SHORT_TURN_PAIRS; i++) times.push(await run(statecraftServer, ours));
      say(`${SHORT_TURNS} short text turns on one thread: ${fmt(median(times))} ms first turn/start to last turn/completed (median of ${SHORT_TURN_PAIRS})`);
      record({ key: 'appServer.shortTurns.ms', unit: 'ms', value: median(times), runs: SHORT_TURN_PAIRS });
      return;
    }
    const theirs = await codex.home(root, 'home-short-codex', model.url);
    const result = compare(
      await alternate(
        SHORT_TURN_PAIRS,
        () => run(statecraftServer, ours),
        () => run(codex, theirs),
      ),
      (ms) => ms,
    )!;
    say(
      `${SHORT_TURNS} short text turns on one thread: statecraft ${fmt(result.a)} ms, Codex ${fmt(result.b)} ms; ratio ${fmt(result.ratio, 2)}x (median of ${SHORT_TURN_PAIRS} alternating pairs)`,
    );
    record({
      key: 'appServer.shortTurns.ms',
      unit: 'ms',
      value: result.a,
      versus: { name: 'codex', value: result.b, ratio: result.ratio },
      runs: SHORT_TURN_PAIRS,
    });
  } finally {
    await model.close();
  }
}

// 3. A long streamed turn -----------------------------------------------------------------

async function rawStream(url: string): Promise<{ ms: number; chars: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', input: [], stream: true }),
  });
  const body = await response.text();
  const ms = performance.now() - started;
  // Count the delta characters the stream carried, as the app-server client does below.
  let chars = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const event = JSON.parse(line.slice(6));
    if (event.type === 'response.output_text.delta') chars += event.delta.length;
  }
  return { ms, chars };
}

/** One DELTAS-delta turn: ms from turn/start to turn/completed, and what the client received. */
async function streamedTurn(kind: AppServerKind, root: string, workspace: string, url: string, name: string) {
  const home = await kind.home(root, name, url);
  const client = kind.start(home, root);
  try {
    let threadId = '';
    let messages = 0;
    let chars = 0;
    const stop = client.listen((msg) => {
      if (msg.method === 'item/agentMessage/delta' && msg.params?.threadId === threadId) {
        messages++;
        chars += String(msg.params.delta).length;
      }
    });
    const { ms, statuses } = await turnsInARow(client, workspace, 1, (id) => (threadId = id));
    stop();
    return { ms, messages, chars, status: statuses[0] };
  } finally {
    await client.close();
  }
}

async function longTurn(root: string, workspace: string, codex: AppServerKind | null): Promise<void> {
  // `repeat` sends the chunk list that many times over: one 'x' per delta, DELTAS deltas. One such turn for
  // each request: the raw stream, statecraft's first run, then a warm-up and HEAVY_PAIRS runs on each side.
  const bulk: Script['turns'][number] = [{ text: 'x'.repeat(DELTAS), chunks: ['x'], repeat: DELTAS }];
  const model = await startScriptedServer({ script: { turns: Array.from({ length: 2 * (HEAVY_PAIRS + 1) + 2 }, () => bulk) } });
  try {
    const raw = await rawStream(model.url);
    const ours = await streamedTurn(statecraftServer, root, workspace, model.url, 'home-stream');
    const perSecond = ours.chars / (ours.ms / 1000);
    const rawPerSecond = raw.chars / (raw.ms / 1000);
    say(
      `${DELTAS}-delta turn through app-server: ${fmt(ours.ms)} ms turn/start to turn/completed (status ${ours.status}), ` +
        `${ours.messages} delta messages carrying ${ours.chars} chars, ${fmt(perSecond, 0)} chars/s, ${fmt(ours.messages / (ours.ms / 1000), 0)} delta messages/s; ` +
        `plain fetch of the same stream ${fmt(rawPerSecond, 0)} chars/s (${fmt(raw.ms)} ms); ratio ${fmt(rawPerSecond / perSecond, 2)}x slower than the raw stream`,
    );
    if (!codex) {
      record({ key: 'appServer.longTurn.ms', unit: 'ms', value: ours.ms, versus: { name: 'raw stream', value: raw.ms, ratio: ours.ms / raw.ms } });
      return;
    }
    const paired = await alternate(
      HEAVY_PAIRS,
      () => streamedTurn(statecraftServer, root, workspace, model.url, 'home-stream'),
      () => streamedTurn(codex, root, workspace, model.url, 'home-stream-codex'),
    );
    const result = compare(paired, (run) => run.ms)!;
    const received = (runs: Array<{ chars: number }>) => median(runs.map((run) => run.chars));
    say(
      `${DELTAS}-delta turn through app-server: statecraft ${fmt(result.a)} ms (${received(paired.a)} chars received), ` +
        `Codex ${fmt(result.b)} ms (${received(paired.b)} chars received); ratio ${fmt(result.ratio, 2)}x (median of ${HEAVY_PAIRS} alternating pairs)`,
    );
    record({ key: 'appServer.longTurn.ms', unit: 'ms', value: result.a, versus: { name: 'codex', value: result.b, ratio: result.ratio }, runs: HEAVY_PAIRS });
  } finally {
    await model.close();
  }
}

// 4. Many concurrent turns ----------------------------------------------------------------

/**
 * The scripted model hands out turns in arrival order, so with 100 concurrent turns a
 * follow-up request could take a turn meant for a first request. This proxy routes by
 * content instead: requests carrying a tool result go to a server that answers in text,
 * all others to a server that calls exec_command.
 */
async function routingProxy(calls: ScriptedServer, answers: ScriptedServer): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = body.includes('function_call_output') ? answers : calls;
      const upstream = httpRequest(
        { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(body.length) } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

interface ManyResult {
  wallMs: number;
  /** The largest single process of the server's tree (Codex's native binary, statecraft's Node process). */
  peakKb: number | null;
  completed: number;
  commands: number;
  modelRequests: number;
}

async function manyTurns(kind: AppServerKind, root: string, workspace: string, sandbox: string, limitMs: number): Promise<ManyResult> {
  const call: Script['turns'][number] = [{ call: 'exec_command', args: { cmd: 'echo hi' } }];
  const answer: Script['turns'][number] = [{ text: 'done' }];
  const calls = await startScriptedServer({ script: { turns: Array.from({ length: THREADS }, () => call) } });
  const answers = await startScriptedServer({ script: { turns: Array.from({ length: THREADS }, () => answer) } });
  const proxy = await routingProxy(calls, answers);
  const home = await kind.home(root, `home-many-${kind.name}-${sandbox}`, proxy.url);
  const client = kind.start(home, root);
  const memory = treePeakSampler(client.pid, 20);
  try {
    await client.handshake();
    const threads = await Promise.all(
      Array.from({ length: THREADS }, () => client.request('thread/start', { cwd: workspace, approvalPolicy: 'never', sandbox })),
    );
    let commands = 0;
    const stop = client.listen((msg) => {
      if (msg.method === 'item/completed' && msg.params?.item?.type === 'commandExecution' && msg.params.item.status === 'completed') commands++;
    });
    const ids: string[] = threads.map((started) => started.thread.id);
    const completions = ids.map((id) => turnCompleted(client, id));
    const started = performance.now();
    await Promise.all(ids.map((threadId) => client.request('turn/start', { threadId, input: textInput('run echo hi') })));
    const ends = await deadline(Promise.all(completions), limitMs, `${THREADS} concurrent turns (${kind.name}, ${sandbox})`);
    const wallMs = performance.now() - started;
    stop();
    return {
      wallMs,
      peakKb: memory.stop(),
      completed: ends.filter((end) => end.turn?.status === 'completed').length,
      commands,
      modelRequests: calls.requests.length + answers.requests.length,
    };
  } finally {
    memory.stop();
    await client.close();
    await proxy.close();
    await calls.close();
    await answers.close();
  }
}

async function idleRssKb(root: string, home: string): Promise<number | null> {
  const client = statecraftServer.start(home, root);
  try {
    await client.handshake();
    await new Promise((done) => setTimeout(done, 200));
    return peakRssKb(client.pid);
  } finally {
    await client.close();
  }
}

const describeMany = (name: string, run: ManyResult) =>
  `${name} ${fmt(run.wallMs)} ms, ${run.completed}/${THREADS} completed, ${run.commands} commands run, ${run.modelRequests} model requests, peak RSS ${run.peakKb !== null ? mib(run.peakKb) : 'unavailable'}`;

async function concurrency(root: string, workspace: string, idleKb: number | null, codex: AppServerKind | null): Promise<void> {
  const label = `${THREADS} concurrent threads, one exec_command turn each`;
  if (codex) {
    const paired = await alternate(
      HEAVY_PAIRS,
      () => manyTurns(statecraftServer, root, workspace, 'danger-full-access', 60_000),
      () => manyTurns(codex, root, workspace, 'danger-full-access', 60_000),
    );
    const wall = compare(paired, (run) => run.wallMs)!;
    const peak = compare(paired, (run) => run.peakKb);
    say(
      `${label} (danger-full-access), first turn/start to last turn/completed: ${describeMany('statecraft', paired.a.at(-1)!)}; ${describeMany('Codex', paired.b.at(-1)!)}; ` +
        `median ratios time ${fmt(wall.ratio, 2)}x${peak ? `, peak RSS ${fmt(peak.ratio, 2)}x` : ''} (${HEAVY_PAIRS} alternating pairs)`,
    );
    record({ key: 'appServer.concurrent.ms', unit: 'ms', value: wall.a, versus: { name: 'codex', value: wall.b, ratio: wall.ratio }, runs: HEAVY_PAIRS });
    if (peak)
      record({
        key: 'appServer.concurrent.peakMiB',
        unit: 'MiB',
        value: toMib(peak.a),
        versus: { name: 'codex', value: toMib(peak.b), ratio: peak.ratio },
        runs: HEAVY_PAIRS,
      });
  } else {
    const run = await manyTurns(statecraftServer, root, workspace, 'danger-full-access', 60_000);
    const ratio = run.peakKb !== null && idleKb !== null ? `; idle app-server after initialize ${mib(idleKb)}; ratio ${fmt(run.peakKb / idleKb, 2)}x` : '';
    say(`${label} (danger-full-access), first turn/start to last turn/completed: ${describeMany('statecraft', run)}${ratio}`);
    record({ key: 'appServer.concurrent.ms', unit: 'ms', value: run.wallMs });
    if (run.peakKb !== null) {
      record({
        key: 'appServer.concurrent.peakMiB',
        unit: 'MiB',
        value: toMib(run.peakKb),
        ...(idleKb !== null ? { versus: { name: 'idle app-server', value: toMib(idleKb), ratio: run.peakKb / idleKb } } : {}),
      });
    }
  }
  try {
    const run = await manyTurns(statecraftServer, root, workspace, 'workspace-write', 30_000);
    say(`${label} (workspace-write): ${describeMany('statecraft', run)}`);
    record({ key: 'appServer.concurrentSandboxed.ms', unit: 'ms', value: run.wallMs });
  } catch (error) {
    say(`${label} (workspace-write): not measured: ${(error as Error).message}`);
  }
}

// 5. A client that stops reading ----------------------------------------------------------

const SLOW_OUTPUT_BYTES = 1_000_000_000;
const SLOW_PAUSE_MS = 10_000;

/**
 * A command prints 1 GB while the client does not read for 10 s: what the server keeps for
 * it must stay bounded (the middle of the output gives way to a marker).
 */
async function slowClient(root: string, workspace: string, idleKb: number | null): Promise<void> {
  const line = 'a line of command output, about as long as a line in a build log or a test report';
  const model = await startScriptedServer({
    script: { turns: [[{ call: 'exec_command', args: { cmd: `yes '${line}' | head -c ${SLOW_OUTPUT_BYTES}`, yield_time_ms: 30_000 } }], [{ text: 'done' }]] },
  });
  const home = await makeHome(root, 'home-slow', model.url);
  const client = statecraftServer.start(home, root);
  let peakKb: number | null = null;
  const sampler = setInterval(() => (peakKb = peakRssKb(client.pid) ?? peakKb), 20);
  try {
    await client.handshake();
    const { thread } = await client.request('thread/start', { cwd: workspace, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    let chars = 0;
    let markers = 0;
    const stop = client.listen((msg) => {
      if (msg.method !== 'item/commandExecution/outputDelta') return;
      chars += String(msg.params.delta).length;
      if (String(msg.params.delta).includes('of output omitted')) markers++;
    });
    const completed = turnCompleted(client, thread.id);
    await client.request('turn/start', { threadId: thread.id, input: textInput('print 1 GB') });
    client.child.stdout!.pause();
    await new Promise((done) => setTimeout(done, SLOW_PAUSE_MS));
    client.child.stdout!.resume();
    const end = await deadline(completed, 300_000, 'the 1 GB turn');
    stop();
    peakKb = peakRssKb(client.pid) ?? peakKb;
    const memory =
      peakKb !== null && idleKb !== null
        ? `peak RSS ${mib(peakKb)}; idle app-server after initialize ${mib(idleKb)}; ratio ${fmt(peakKb / idleKb, 2)}x`
        : 'RSS unavailable';
    say(
      `1 GB of command output to a client that stops reading for ${SLOW_PAUSE_MS / 1000} s: ${memory}; ` +
        `the client got ${fmt(chars / 1024 / 1024)} MiB of output with ${markers} omission marker(s) (turn ${end.turn?.status})`,
    );
    if (peakKb !== null) {
      record({
        key: 'appServer.slowClient.peakMiB',
        unit: 'MiB',
        value: toMib(peakKb),
        ...(idleKb !== null ? { versus: { name: 'idle app-server', value: toMib(idleKb), ratio: peakKb / idleKb } } : {}),
      });
    }
  } finally {
    clearInterval(sampler);
    await client.close();
    await model.close();
  }
}

/** Runs every app-server figure; called from run.ts after the CLI figures. With `codex`, the figures that compare are taken side by side with it. */
export async function runAppServerBench(codexPath: string | null): Promise<void> {
  const [, codex] = appServers(codexPath);
  const root = await mkdtemp(join(tmpdir(), 'statecraft-bench-app-'));
  const workspace = join(root, 'ws');
  await mkdir(workspace, { recursive: true });
  const idleModel = await startScriptedServer({ script: { turns: [] } });
  try {
    const home = await makeHome(root, 'home', idleModel.url);
    await roundTrips(root, home, workspace);
    await shortTurns(root, workspace, codex);
    await longTurn(root, workspace, codex);
    const idleKb = await idleRssKb(root, home);
    await concurrency(root, workspace, idleKb, codex);
    await slowClient(root, workspace, idleKb);
  } finally {
    await idleModel.close();
    await rm(root, { recursive: true, force: true });
  }
}
