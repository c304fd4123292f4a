/**
 * App-server figures for `npm run bench`: start-up, request round trips, a long streamed
 * turn, 100 concurrent turns that each run a command, and memory under a slow client.
 * Each figure is printed next to a baseline measured in this same run, with the ratio
 * between them. Nothing is asserted.
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

const SPAWNS = 5;
const ROUND_TRIPS = 20;
const DELTAS = 20_000;
const THREADS = 100;

type Json = any;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (value: number, digits = 1) => value.toFixed(digits);
const mib = (kb: number) => `${fmt(kb / 1024)} MiB`;

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

/** A minimal stdio JSON-RPC client around one `statecraft app-server` process. */
class Client {
  readonly child: ResultPromise;
  readonly spawnedAt = performance.now();
  private nextId = 0;
  private readonly waiting = new Map<number, (msg: Json) => void>();
  private readonly listeners = new Set<(msg: Json) => void>();

  constructor(home: string, root: string) {
    this.child = spawnAppServer(home, root);
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

// 1. Start-up -----------------------------------------------------------------------------

async function bareNodeMs(): Promise<number> {
  const started = performance.now();
  await execa('node', ['-e', 'process.stdout.write("x")']);
  return performance.now() - started;
}

async function startup(root: string, home: string): Promise<void> {
  const starts: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    floors.push(await bareNodeMs());
    const client = new Client(home, root);
    await client.request('initialize', { clientInfo: { name: 'bench', title: 'bench', version: '0.0.1' } });
    starts.push(performance.now() - client.spawnedAt);
    await client.close();
  }
  const start = median(starts);
  const floor = median(floors);
  console.log(
    `app-server spawn to initialize response: ${fmt(start)} ms (median of ${SPAWNS}); bare node start ${fmt(floor)} ms; ratio ${fmt(start / floor, 2)}x`,
  );
}

// 2. Round trips --------------------------------------------------------------------------

async function roundTrips(root: string, home: string, workspace: string): Promise<void> {
  const client = new Client(home, root);
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
    console.log(
      `thread/start round trip: ${fmt(threadStart, 2)} ms (median of ${ROUND_TRIPS}); model/list round trip ${fmt(modelList, 2)} ms on the same server; ` +
        `ratio ${fmt(threadStart / modelList, 2)}x`,
    );
  } finally {
    await client.close();
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

async function longTurn(root: string, workspace: string): Promise<void> {
  // `repeat` sends the chunk list that many times over: one 'x' per delta, DELTAS deltas.
  const bulk: Script = { turns: [[{ text: 'x'.repeat(DELTAS), chunks: ['x'], repeat: DELTAS }]] };
  const rawServer = await startScriptedServer({ script: bulk });
  const raw = await rawStream(rawServer.url).finally(() => rawServer.close());

  const model = await startScriptedServer({ script: bulk });
  const home = await makeHome(root, 'home-stream', model.url);
  const client = new Client(home, root);
  try {
    await client.handshake();
    const { thread } = await client.request('thread/start', { cwd: workspace, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    let messages = 0;
    let chars = 0;
    const stop = client.listen((msg) => {
      if (msg.method === 'item/agentMessage/delta' && msg.params?.threadId === thread.id) {
        messages++;
        chars += String(msg.params.delta).length;
      }
    });
    const completed = turnCompleted(client, thread.id);
    const started = performance.now();
    await client.request('turn/start', { threadId: thread.id, input: textInput('go') });
    const end = await deadline(completed, 60_000, 'the streamed turn');
    const ms = performance.now() - started;
    stop();
    const perSecond = chars / (ms / 1000);
    const rawPerSecond = raw.chars / (raw.ms / 1000);
    console.log(
      `${DELTAS}-delta turn through app-server: ${fmt(ms)} ms turn/start to turn/completed (status ${end.turn?.status}), ` +
        `${messages} delta messages carrying ${chars} chars, ${fmt(chars / (ms / 1000), 0)} chars/s, ${fmt(messages / (ms / 1000), 0)} delta messages/s; ` +
        `plain fetch of the same stream ${fmt(rawPerSecond, 0)} chars/s (${fmt(raw.ms)} ms); ratio ${fmt(rawPerSecond / perSecond, 2)}x slower than the raw stream`,
    );
  } finally {
    await client.close();
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
  peakKb: number | null;
  completed: number;
  commands: number;
  modelRequests: number;
}

async function manyTurns(root: string, workspace: string, sandbox: string, limitMs: number): Promise<ManyResult> {
  const call: Script['turns'][number] = [{ call: 'exec_command', args: { cmd: 'echo hi' } }];
  const answer: Script['turns'][number] = [{ text: 'done' }];
  const calls = await startScriptedServer({ script: { turns: Array.from({ length: THREADS }, () => call) } });
  const answers = await startScriptedServer({ script: { turns: Array.from({ length: THREADS }, () => answer) } });
  const proxy = await routingProxy(calls, answers);
  const home = await makeHome(root, `home-many-${sandbox}`, proxy.url);
  const client = new Client(home, root);
  let peakKb: number | null = null;
  const sampler = setInterval(() => (peakKb = peakRssKb(client.pid) ?? peakKb), 20);
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
    const ends = await deadline(Promise.all(completions), limitMs, `${THREADS} concurrent turns (${sandbox})`);
    const wallMs = performance.now() - started;
    stop();
    peakKb = peakRssKb(client.pid) ?? peakKb;
    return {
      wallMs,
      peakKb,
      completed: ends.filter((end) => end.turn?.status === 'completed').length,
      commands,
      modelRequests: calls.requests.length + answers.requests.length,
    };
  } finally {
    clearInterval(sampler);
    await client.close();
    await proxy.close();
    await calls.close();
    await answers.close();
  }
}

async function idleRssKb(root: string, home: string): Promise<number | null> {
  const client = new Client(home, root);
  try {
    await client.handshake();
    await new Promise((done) => setTimeout(done, 200));
    return peakRssKb(client.pid);
  } finally {
    await client.close();
  }
}

async function concurrency(root: string, workspace: string, idleKb: number | null): Promise<void> {
  const report = (label: string, run: ManyResult) => {
    const memory =
      run.peakKb !== null && idleKb !== null
        ? `peak RSS ${mib(run.peakKb)}; idle app-server after initialize ${mib(idleKb)}; ratio ${fmt(run.peakKb / idleKb, 2)}x`
        : 'RSS unavailable';
    console.log(
      `${THREADS} concurrent threads, one exec_command turn each (${label}): ${fmt(run.wallMs)} ms first turn/start to last turn/completed, ` +
        `${run.completed}/${THREADS} completed, ${run.commands} commands run, ${run.modelRequests} model requests; ${memory}`,
    );
  };
  report('danger-full-access', await manyTurns(root, workspace, 'danger-full-access', 60_000));
  try {
    report('workspace-write', await manyTurns(root, workspace, 'workspace-write', 30_000));
  } catch (error) {
    console.log(`${THREADS} concurrent threads (workspace-write): not measured: ${(error as Error).message}`);
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
  const client = new Client(home, root);
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
    console.log(
      `1 GB of command output to a client that stops reading for ${SLOW_PAUSE_MS / 1000} s: ${memory}; ` +
        `the client got ${fmt(chars / 1024 / 1024)} MiB of output with ${markers} omission marker(s) (turn ${end.turn?.status})`,
    );
  } finally {
    clearInterval(sampler);
    await client.close();
    await model.close();
  }
}

/** Runs every app-server figure; called from run.ts after the CLI figures. */
export async function runAppServerBench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-bench-app-'));
  const workspace = join(root, 'ws');
  await mkdir(workspace, { recursive: true });
  const idleModel = await startScriptedServer({ script: { turns: [] } });
  try {
    const home = await makeHome(root, 'home', idleModel.url);
    await startup(root, home);
    await roundTrips(root, home, workspace);
    await longTurn(root, workspace);
    const idleKb = await idleRssKb(root, home);
    await concurrency(root, workspace, idleKb);
    await slowClient(root, workspace, idleKb);
  } finally {
    await idleModel.close();
    await rm(root, { recursive: true, force: true });
  }
}
