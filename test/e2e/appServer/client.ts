/**
 * A small test client for `statecraft app-server`: it sets up a temp root (workspace + home
 * with a config.toml that points at a scripted model on 127.0.0.1), spawns the server,
 * and speaks JSON lines to it.
 */
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ResultPromise } from 'execa';
import { afterEach, expect } from 'vitest';
import { CLI, spawnAppServer, writeMockProviderConfig } from '../../support/appServer.js';
import { killPidsMatching } from '../../support/processes.js';
import { startScriptedServer, type Script, type ScriptedServer } from '../../../actors/model/index.js';
import { describeViolations, wireViolations, type Recorded } from '../../protocol/reference/referenceSchema.js';

export { CLI };

type Json = any;

export interface Fixture {
  root: string;
  home: string;
  ws: string;
  model: ScriptedServer;
  cleanup(): Promise<void>;
}

/** Temp dirs and a scripted model; `config.toml` in the home uses it as provider "mock". */
export async function fixture(script: Script): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-appsrv-'));
  const home = join(root, 'home');
  const ws = join(root, 'ws');
  await mkdir(home, { recursive: true });
  await mkdir(ws, { recursive: true });
  const model = await startScriptedServer({ script });
  await writeMockProviderConfig(home, model.url);
  return {
    root,
    home,
    ws,
    model,
    async cleanup() {
      await model.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** What the client does with a server → client request; return undefined to leave it unanswered. */
export type ServerRequestHandler = (msg: Json) => Json;

export interface Client {
  proc: ResultPromise;
  /** Every message the server wrote, in order. */
  messages: Json[];
  /** Both directions in order, for checking against the reference's schema. */
  wire: Recorded[];
  stderr(): string;
  /** Sends a request with the next numeric id and resolves with the whole response message. */
  request(method: string, params?: Json): Promise<Json>;
  /** Like request, but returns `result` and throws on an error response. */
  call(method: string, params?: Json): Promise<Json>;
  /** Sends a request with a chosen id (any JSON value) without waiting. */
  send(msg: Json): void;
  /** Writes one raw line (a newline is appended). */
  writeLine(line: string): void;
  /** Writes raw lines in one chunk, each with its newline. */
  writeLines(lines: string[]): void;
  /** Resolves with the first message (from index `from`) with `method` for which `pred` holds. */
  waitFor(method: string, pred?: (msg: Json) => boolean, timeoutMs?: number, from?: number): Promise<Json>;
  /** Resolves with the response carrying `id`. */
  response(id: Json, timeoutMs?: number): Promise<Json>;
  onServerRequest: ServerRequestHandler | null;
  /** initialize + initialized. */
  init(): Promise<Json>;
  /** Ends stdin and resolves with the exit code. */
  close(timeoutMs?: number): Promise<number | undefined>;
  exited: boolean;
}

/** The clients the running test opened; after it, everything each server wrote must satisfy the reference's schema. */
const openedThisTest: Client[] = [];
afterEach(() => {
  const clients = openedThisTest.splice(0);
  for (const c of clients) {
    const violations = wireViolations(c.wire);
    expect(violations, `messages the reference schema rejects:\n${describeViolations(violations)}`).toEqual([]);
  }
});

const parseOrRaw = (line: string): Json => {
  try {
    return JSON.parse(line);
  } catch {
    return { unparsable: line };
  }
};

export function startClient(f: Pick<Fixture, 'root' | 'home'>, onServerRequest: ServerRequestHandler | null = null, args: string[] = []): Client {
  const proc = spawnAppServer(f.home, f.root, args);
  const messages: Json[] = [];
  const wire: Recorded[] = [];
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Writing to a process that already exited must not crash the test runner.
  proc.stdin.on('error', () => {});
  const listeners = new Set<() => void>();
  let nextId = 1000;
  const client: Client = {
    proc,
    messages,
    wire,
    stderr: () => stderr,
    onServerRequest,
    exited: false,
    request(method, params = {}) {
      const id = nextId++;
      const answer = client.response(id);
      client.send({ id, method, params });
      return answer;
    },
    async call(method, params = {}) {
      const msg = await client.request(method, params);
      if (msg.error) throw new Error(`${method} failed: ${JSON.stringify(msg.error)}`);
      return msg.result;
    },
    send(msg) {
      wire.push({ dir: 'c2s', msg });
      proc.stdin.write(`${JSON.stringify(msg)}\n`);
    },
    writeLine(line) {
      client.writeLines([line]);
    },
    writeLines(lines) {
      for (const line of lines) wire.push({ dir: 'c2s', msg: parseOrRaw(line) });
      proc.stdin.write(lines.map((line) => `${line}\n`).join(''));
    },
    waitFor(method, pred = () => true, timeoutMs = 15_000, from = 0) {
      return find((msg) => msg.method === method && !('result' in msg) && !('error' in msg) && pred(msg), `${method}`, timeoutMs, from);
    },
    response(id, timeoutMs = 15_000) {
      return find(
        (msg) => msg.id === id && ('result' in msg || 'error' in msg) && !('method' in msg),
        `the response to id ${JSON.stringify(id)}`,
        timeoutMs,
        0,
      );
    },
    async init() {
      const result = await client.call('initialize', { clientInfo: { name: 'e2e', version: '0.0.1' } });
      client.send({ method: 'initialized' });
      return result;
    },
    async close(timeoutMs = 15_000) {
      proc.stdin.end();
      const result = await within(proc, timeoutMs, 'the app-server to exit');
      return result.exitCode;
    },
  };
  const find = (match: (msg: Json) => boolean, what: string, timeoutMs: number, from: number): Promise<Json> =>
    new Promise((resolvePromise, reject) => {
      const check = () => {
        for (let i = from; i < messages.length; i++) {
          if (match(messages[i])) {
            cleanupWaiter();
            resolvePromise(messages[i]);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanupWaiter();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr:\n${stderr.slice(-2000)}`));
      }, timeoutMs);
      const cleanupWaiter = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      if (!check()) listeners.add(check);
    });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = parseOrRaw(line);
    messages.push(msg);
    wire.push({ dir: 's2c', msg });
    if (msg && typeof msg === 'object' && 'id' in msg && typeof msg.method === 'string' && client.onServerRequest) {
      const answer = client.onServerRequest(msg);
      if (answer !== undefined) client.send({ id: msg.id, result: answer });
    }
    for (const listener of [...listeners]) listener();
  });
  void proc.then(() => {
    client.exited = true;
  });
  openedThisTest.push(client);
  return client;
}

export function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    Promise.resolve(promise).finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Every rollout file under `<home>/sessions`, as absolute paths. */
export async function rolloutFiles(home: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.startsWith('rollout-')) found.push(path);
    }
  };
  await walk(join(home, 'sessions'));
  return found;
}

/** A text user input as the protocol spells it. */
export const text = (value: string) => [{ type: 'text', text: value, text_elements: [] }];

/**
 * What one test opens (a fixture, its servers, processes it marked), all torn down after
 * each test: killed servers and marked leftovers first, then the temp dirs and the model.
 */
export function scenes() {
  const live = { fixture: undefined as Fixture | undefined, clients: [] as Client[], markers: [] as string[] };
  afterEach(async () => {
    for (const c of live.clients) c.proc.kill('SIGKILL');
    live.clients = [];
    // A SIGKILLed server had no chance to clean up: remove what it may have left running.
    for (const marker of live.markers) killPidsMatching(marker);
    live.markers = [];
    await live.fixture?.cleanup();
    live.fixture = undefined;
  });
  return {
    async open(script: Script): Promise<Fixture> {
      live.fixture = await fixture(script);
      return live.fixture;
    },
    /** Starts `statecraft app-server ARGS` on the fixture and speaks to it. */
    connect(f: Pick<Fixture, 'root' | 'home'>, onServerRequest: ServerRequestHandler | null = null, args: string[] = []): Client {
      const c = startClient(f, onServerRequest, args);
      live.clients.push(c);
      return c;
    },
    /** A unique sleep duration to find a test's processes by. */
    marker(): string {
      const marker = `30.${Math.floor(Math.random() * 1e6)}`;
      live.markers.push(marker);
      return marker;
    },
  };
}
