/**
 * Bad input at the process level: batches of garbage, odd JSON and mutated requests go to
 * one long-lived app-server. Every request line (an object with a number or string id and
 * a string method) must get exactly one answer with its id, and the server must stay up.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sleep, startClient, text, type Client, type Fixture } from './client.js';

type Json = any;

let f: Fixture;
let c: Client;
let realThreadId = '';

beforeAll(async () => {
  // Plenty of plain text turns: mutated turn/start requests that happen to be valid run against them.
  f = await fixture({ turns: Array.from({ length: 400 }, (_, i) => [{ text: `answer ${i}` }]) });
  c = startClient(f);
  await c.init();
  realThreadId = (await c.call('thread/start', { cwd: f.ws })).thread.id;
});

afterAll(async () => {
  c?.proc.kill('SIGKILL');
  await f?.cleanup();
});

const METHODS = ['initialize', 'thread/start', 'thread/resume', 'turn/start', 'thread/read', 'thread/list', 'model/list', 'turn/interrupt'] as const;

const threadIdArb = () =>
  fc.oneof(
    fc.constant('__REAL__'),
    fc.uuid(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', '../../../etc/passwd', '*', 'rollout-', '2024/01/01', '\u0000', 'é\u{1F600}'),
  );

const unicodeArb = fc.string({ unit: 'grapheme', maxLength: 60 });
const hugeArb = fc.integer({ min: 50_000, max: 300_000 }).map((n) => 'h'.repeat(n));
const weirdArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), unicodeArb, hugeArb, fc.double(), fc.bigInt().map(String));

/** A valid params object for each method, as a starting point for mutations. */
const baseParams = (method: string, threadId: string): Json => {
  switch (method) {
    case 'initialize':
      return { clientInfo: { name: 'fuzz', version: '1' } };
    case 'thread/start':
      return { cwd: '__WS__', approvalPolicy: 'never', sandbox: 'read-only' };
    case 'thread/resume':
      return { threadId };
    case 'turn/start':
      return { threadId, input: text('fuzzed hello') };
    case 'thread/read':
      return { threadId, includeTurns: true };
    case 'thread/list':
      return { limit: 3 };
    case 'model/list':
      return { limit: 2 };
    case 'turn/interrupt':
      return { threadId, turnId: 'not-a-turn' };
    default:
      return {};
  }
};

type Mutation =
  | { kind: 'keep' }
  | { kind: 'wrongType'; key: number; value: Json }
  | { kind: 'drop'; key: number }
  | { kind: 'extra'; key: string; value: Json }
  | { kind: 'replaceParams'; value: Json }
  | { kind: 'noParams' };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'keep' as const }),
  fc.record({ kind: fc.constant('wrongType' as const), key: fc.nat(), value: weirdArb }),
  fc.record({ kind: fc.constant('drop' as const), key: fc.nat() }),
  fc.record({ kind: fc.constant('extra' as const), key: fc.oneof(fc.string({ maxLength: 10 }), unicodeArb), value: weirdArb }),
  fc.record({ kind: fc.constant('replaceParams' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.constant({ kind: 'noParams' as const }),
);

/** Applies a mutation; never touches the prototype (a "__proto__" key is set as an own key). */
function mutate(params: Json, m: Mutation): { params?: Json } {
  const out: Json = JSON.parse(JSON.stringify(params));
  const keys = Object.keys(out);
  switch (m.kind) {
    case 'keep':
      return { params: out };
    case 'wrongType':
      if (keys.length > 0) out[keys[m.key % keys.length]!] = m.value;
      return { params: out };
    case 'drop':
      if (keys.length > 0) delete out[keys[m.key % keys.length]!];
      return { params: out };
    case 'extra':
      Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      return { params: out };
    case 'replaceParams':
      return { params: m.value };
    case 'noParams':
      return {};
  }
}

/** One generated line, before ids are filled in. */
type LineSpec =
  | { kind: 'raw'; text: string }
  | { kind: 'json'; value: Json }
  | { kind: 'request'; method: string; idKind: 'number' | 'string'; threadId: string; mutation: Mutation; jsonrpc: boolean }
  | { kind: 'unknownMethod'; method: string; idKind: 'number' | 'string' }
  | { kind: 'notification'; method: string; params: Json }
  | { kind: 'reply'; error: boolean; payload: Json };

const looksLikeObject = (s: string) => {
  try {
    const v = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

const lineArb: fc.Arbitrary<LineSpec> = fc.oneof(
  {
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.constantFrom('{', '{"id":', '[1,2', 'null', '42', '"str"', '[]', '{"method":', '\u0000\u0001', '\uFEFF{}', 'true'),
      )
      .map((s) => s.replace(/[\r\n]/g, ' '))
      .filter((s) => !looksLikeObject(s))
      .map((text) => ({ kind: 'raw' as const, text })),
    weight: 2,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json' as const, value })), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      method: fc.constantFrom(...METHODS),
      idKind: fc.constantFrom('number' as const, 'string' as const),
      threadId: threadIdArb(),
      mutation: mutationArb,
      jsonrpc: fc.boolean(),
    }),
    weight: 8,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('unknownMethod' as const),
      method: fc.oneof(fc.constantFrom('thread/delete', 'turn/steer', 'Initialize', 'model/List', 'constructor', '__proto__', 'toString'), unicodeArb),
      idKind: fc.constantFrom('number' as const, 'string' as const),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('notification' as const),
      method: fc.oneof(fc.constantFrom('initialized', 'turn/start', 'exit', '$/cancelRequest'), unicodeArb),
      params: fc.jsonValue({ maxDepth: 2 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('reply' as const), error: fc.boolean(), payload: fc.jsonValue({ maxDepth: 2 }) }),
    weight: 2,
  },
);

let counter = 0;
const freshId = (kind: 'number' | 'string'): number | string => {
  counter += 1;
  return kind === 'number' ? 1_000_000 + counter : `fz-${counter}-\u00e9`;
};

/** Turns specs into lines; every id in a JSON object is made unique across the whole run. */
function render(spec: LineSpec): string {
  switch (spec.kind) {
    case 'raw':
      return spec.text;
    case 'json': {
      const value = spec.value;
      if (value && typeof value === 'object' && !Array.isArray(value) && 'id' in value) {
        value.id = freshId(counter % 2 === 0 ? 'number' : 'string');
      }
      return JSON.stringify(value);
    }
    case 'request': {
      const threadId = spec.threadId === '__REAL__' ? realThreadId : spec.threadId;
      const base = JSON.parse(JSON.stringify(baseParams(spec.method, threadId)).replace('"__WS__"', JSON.stringify(f.ws)));
      const msg: Json = { id: freshId(spec.idKind), method: spec.method, ...mutate(base, spec.mutation) };
      if (spec.jsonrpc) msg.jsonrpc = '2.0';
      return JSON.stringify(msg);
    }
    case 'unknownMethod':
      return JSON.stringify({ id: freshId(spec.idKind), method: spec.method, params: {} });
    case 'notification':
      return JSON.stringify({ method: spec.method, params: spec.params });
    case 'reply': {
      // Answers to server requests that were never sent: ids far above anything the server used.
      const id = 5_000_000 + ++counter;
      return JSON.stringify(
        spec.error ? { id, error: { code: -1, message: String(JSON.stringify(spec.payload)).slice(0, 50) } } : { id, result: spec.payload },
      );
    }
  }
}

/** The id a request line must be answered with, when the line is a request by the property's definition. */
function requestId(line: string): number | string | undefined {
  let v: Json;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  if ((typeof v.id === 'number' && Number.isFinite(v.id)) || typeof v.id === 'string') {
    if (typeof v.method === 'string') return v.id;
  }
  return undefined;
}

const responsesFor = (id: number | string) => c.messages.filter((m) => m.id === id && ('result' in m || 'error' in m) && !('method' in m));

describe('app-server: bad input never breaks the protocol', () => {
  it('answers every request line exactly once and keeps serving', async () => {
    const allIds: Array<number | string> = [];
    const internalErrors: Json[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { minLength: 15, maxLength: 25 }), async (specs) => {
        expect(c.exited, `the server exited; stderr:\n${c.stderr().slice(-3000)}`).toBe(false);
        const lines = specs.map(render);
        const ids = lines.map(requestId).filter((id): id is number | string => id !== undefined);
        allIds.push(...ids);
        c.writeLines(lines);
        const probe = await c.request('model/list', {});
        expect(probe.result?.data, JSON.stringify(probe)).toBeDefined();
        const deadline = Date.now() + 10_000;
        while (ids.some((id) => responsesFor(id).length === 0)) {
          if (Date.now() > deadline || c.exited) {
            const missing = ids.filter((id) => responsesFor(id).length === 0);
            throw new Error(`no answer for ids ${JSON.stringify(missing)}; lines:\n${lines.join('\n').slice(0, 4000)}`);
          }
          await sleep(10);
        }
        for (const id of ids) {
          const answers = responsesFor(id);
          expect(answers, `id ${JSON.stringify(id)}`).toHaveLength(1);
          const answer = answers[0];
          if ('error' in answer) {
            expect(Number.isInteger(answer.error.code), JSON.stringify(answer)).toBe(true);
            expect(typeof answer.error.message).toBe('string');
            expect(answer.error.message.length).toBeGreaterThan(0);
            if (answer.error.code === -32603) internalErrors.push({ answer, line: lines.find((l) => requestId(l) === id)?.slice(0, 500) });
          }
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
    // Late duplicates would show up here.
    await sleep(300);
    for (const id of allIds) expect(responsesFor(id), `id ${JSON.stringify(id)}`).toHaveLength(1);
    // Nothing the server wrote is unparsable, and it never answered a reply.
    expect(c.messages.filter((m) => 'unparsable' in m)).toEqual([]);
    expect(c.messages.filter((m) => typeof m.id === 'number' && m.id >= 5_000_000 && m.id < 6_000_000 && !('method' in m))).toEqual([]);
    if (internalErrors.length > 0) console.warn('internal errors seen:', JSON.stringify(internalErrors, null, 1).slice(0, 4000));
    // The server is still alive and useful.
    const models = await c.call('model/list', {});
    expect(models.data.length).toBeGreaterThan(0);
    expect(c.exited).toBe(false);
    expect(await c.close(15_000)).toBe(0);
  }, 60_000);
});
