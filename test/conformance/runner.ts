/**
 * Replays a conformance scenario against our app-server: the scenario's model turns are
 * served by the scripted model on 127.0.0.1, its client steps are sent over stdio, and
 * every message both ways is recorded for comparison with the reference transcript.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startScriptedServer, type Script } from '../../actors/model/index.js';
import { modelCatalog } from '../../actors/config/index.js';
import { spawnAppServer, writeMockProviderConfig } from '../support/appServer.js';

export const FIXTURES = resolve(import.meta.dirname, 'fixtures');

/** The reference's app-server scenarios (the exec --json ones are apart). */
export const APP_SERVER_SCENARIOS = [
  '01-text-stream',
  '02-reasoning',
  '03-exec-auto',
  '04-exec-escalated-accept',
  '05-exec-escalated-decline',
  '07b-exec-streaming',
  '08-apply-patch-in-workspace',
  '08b-apply-patch-update',
  '09-apply-patch-outside',
  '10-plan',
  '12-resume-list',
  '13-model-list',
];

type Json = any;

export interface Scenario {
  model_turns: Json[];
  client: {
    timeoutMs?: number;
    decisions?: Json[] | null;
    defaultDecision?: Json;
    steps: Json[];
  } | null;
}

export interface Recorded {
  dir: 'c2s' | 's2c';
  msg: Json;
}

export const loadScenario = async (name: string): Promise<Scenario> => JSON.parse(await readFile(join(FIXTURES, name, 'scenario.json'), 'utf8'));

export const loadTranscript = async (name: string): Promise<Recorded[]> =>
  (await readFile(join(FIXTURES, name, 'transcript.norm.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.dir === 'c2s' || entry.dir === 's2c');

/** Puts real paths where the scenario has placeholders. */
const placeholders = (value: Json, root: string): Json => JSON.parse(JSON.stringify(value).replaceAll('@WS@', join(root, 'ws')).replaceAll('@ROOT@', root));

/** `${alias.result.a.0.b}` → the value at that path of an earlier response. */
function substitute(value: Json, responses: Map<string, Json>): Json {
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    const lookup = (path: string) => path.split('.').reduce((at: Json, key) => (at == null ? at : at[key]), Object.fromEntries(responses));
    if (whole) return lookup(whole[1]!);
    return value.replace(/\$\{([^}]+)\}/g, (_, path: string) => String(lookup(path)));
  }
  if (Array.isArray(value)) return value.map((entry) => substitute(entry, responses));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, substitute(entry, responses)]));
  return value;
}

/** A workspace like the reference's: a git repository with one commit. */
export async function prepareWorkspace(root: string): Promise<void> {
  const ws = join(root, 'ws');
  await mkdir(ws, { recursive: true });
  // The reference's workspace held a README with one line, which scenario 08b patches.
  await writeFile(join(ws, 'README.md'), 'hello\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.name=conformance', '-c', 'user.email=conformance@example.invalid', 'add', '.');
  git('-c', 'user.name=conformance', '-c', 'user.email=conformance@example.invalid', 'commit', '-qm', 'init');
}

/** Runs one scenario's client steps against a fresh `statecraft app-server` using `home`. */
export async function runScenario(scenario: Scenario, root: string, home: string): Promise<Recorded[]> {
  // The reference listed its built-in models for this provider; ours lists what the provider serves, so it serves the catalog's.
  const models = modelCatalog().map((model) => model.id);
  const script = { ...(placeholders({ turns: scenario.model_turns }, root) as Script), models };
  const model = await startScriptedServer({ script });
  await mkdir(home, { recursive: true });
  await writeMockProviderConfig(home, model.url);
  const server = spawnAppServer(home, root);
  const recorded: Recorded[] = [];
  const responses = new Map<string, Json>();
  const waiting = new Map<Json, (msg: Json) => void>();
  const methodWaiters: Array<{ method: string; seenBefore: number; resolve: () => void }> = [];
  const client = scenario.client!;
  const decisions = [...(client.decisions ?? [])];
  const seen = (method: string) => recorded.filter((entry) => entry.dir === 's2c' && entry.msg.method === method).length;

  const send = (msg: Json) => {
    recorded.push({ dir: 'c2s', msg });
    server.stdin.write(`${JSON.stringify(msg)}\n`);
  };
  createInterface({ input: server.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    recorded.push({ dir: 's2c', msg });
    if ('id' in msg && ('result' in msg || 'error' in msg)) waiting.get(msg.id)?.(msg);
    else if ('id' in msg && 'method' in msg) {
      // A server request (approval): answer with the scenario's next decision.
      const decision = decisions.length > 0 ? decisions.shift() : client.defaultDecision;
      send({ id: msg.id, result: { decision } });
    }
    for (const waiter of [...methodWaiters]) {
      if (msg.method === waiter.method && seen(waiter.method) > waiter.seenBefore) {
        methodWaiters.splice(methodWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });

  const within = <T>(promise: Promise<T>, ms: number, what: string) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))]);

  try {
    let nextId = 0;
    let turnsCompletedBefore = 0;
    for (const rawStep of client.steps) {
      const step = substitute(placeholders(rawStep, root), responses);
      if (step.request) {
        const id = nextId++;
        if (step.request === 'turn/start') turnsCompletedBefore = seen('turn/completed');
        const answered = new Promise<Json>((resolve) => waiting.set(id, resolve));
        send({ id, method: step.request, params: step.params ?? {} });
        const answer = await within(answered, 20_000, `the response to ${step.request}`);
        if (step.as) responses.set(step.as, answer);
      } else if (step.notify) {
        send({ method: step.notify, ...(step.params ? { params: step.params } : {}) });
      } else if (step.shell) {
        // The reference ran a shell command to look at the result; the test checks the disk itself.
        continue;
      } else if (step.waitFor) {
        const before = step.waitFor === 'turn/completed' ? turnsCompletedBefore : seen(step.waitFor);
        if (seen(step.waitFor) <= before) {
          await within(
            new Promise<void>((resolve) => methodWaiters.push({ method: step.waitFor, seenBefore: before, resolve })),
            Math.min(step.timeoutMs ?? 30_000, 30_000),
            step.waitFor,
          );
        }
      }
    }
    // Let trailing notifications arrive, then close stdin as a client would.
    await new Promise((done) => setTimeout(done, 300));
    server.stdin.end();
    const result = await within(server, 15_000, 'the app-server to exit at EOF');
    if (result.exitCode !== 0) throw new Error(`app-server exited with ${result.exitCode}: ${String(result.stderr)}`);
    return recorded;
  } finally {
    server.kill('SIGKILL');
    await model.close();
  }
}
