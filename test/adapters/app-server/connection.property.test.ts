import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Handlers } from '../../../adapters/app-server/index.js';
import { createHarness, initializeParams } from './harness.js';

const handlers = {
  initialize: async () => ({ userAgent: 'ua', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' }),
  'model/list': async () => ({ data: [], nextCursor: null }),
  'thread/list': async () => {
    throw new Error('list failed');
  },
  'thread/read': () => {
    throw new Error('sync throw');
  },
  'turn/interrupt': async () => {
    await new Promise((r) => setTimeout(r, 1));
    return {};
  },
} as unknown as Handlers;

const validRequests: Array<Record<string, unknown>> = [
  { id: 1, method: 'initialize', params: initializeParams },
  { id: 'a', method: 'model/list', params: {} },
  { id: 2, method: 'thread/list', params: { limit: 3 } },
  { id: 3, method: 'thread/read', params: { threadId: 't' } },
  { id: 'b', method: 'turn/interrupt', params: { threadId: 't', turnId: 'u' } },
  { id: 4, method: 'no/such/method', params: {} },
  { method: 'initialized' },
  { id: 0, result: { decision: 'accept' } },
];

/** A valid message with one thing changed, or left alone. */
const mutated = fc
  .tuple(
    fc.constantFrom(...validRequests),
    fc.oneof(
      fc.constant<['keep']>(['keep']),
      fc.tuple(fc.constant('drop' as const), fc.constantFrom('id', 'method', 'params')),
      fc.tuple(fc.constant('set' as const), fc.constantFrom('id', 'method', 'params', 'jsonrpc', 'result', 'error'), fc.jsonValue()),
    ),
  )
  .map(([base, change]) => {
    const msg: Record<string, unknown> = { ...base };
    if (change[0] === 'drop') delete msg[change[1]];
    if (change[0] === 'set') msg[change[1]] = change[2];
    return JSON.stringify(msg);
  });

const line = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => s.replace(/\n/g, ' ')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  mutated,
  mutated,
);

const readableId = (id: unknown): id is number | string => (typeof id === 'number' && Number.isFinite(id)) || typeof id === 'string';

/** Per readable id (keyed by its JSON spelling): how many answers the protocol owes for these lines. */
const owedAnswers = (lines: string[]): Map<string, number> => {
  const owed = new Map<string, number>();
  for (const text of lines) {
    if (text.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const msg = value as Record<string, unknown>;
    if (!readableId(msg['id'])) continue;
    const isReply = !('method' in msg) && ('result' in msg || 'error' in msg);
    if (isReply) continue;
    const key = JSON.stringify(msg['id']);
    owed.set(key, (owed.get(key) ?? 0) + 1);
  }
  return owed;
};

describe('app-server connection under arbitrary input', () => {
  it('answers every request exactly once and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(line, { maxLength: 25 }), async (initFirst, lines) => {
        const h = createHarness({ handlers });
        const all = [
          ...(initFirst ? [JSON.stringify({ id: 'init', method: 'initialize', params: initializeParams })] : []),
          ...lines,
          JSON.stringify({ id: 'final', method: 'model/list', params: {} }),
        ];
        for (const text of all) h.input.write(`${text}\n`);
        await h.end();

        const got = new Map<string, number>();
        let requestsWithBadId = 0;
        for (const text of all) {
          try {
            const v = JSON.parse(text) as Record<string, unknown>;
            if (v && typeof v === 'object' && 'method' in v && 'id' in v && v['id'] !== undefined && !readableId(v['id'])) requestsWithBadId += 1;
          } catch {
            /* not JSON */
          }
        }
        let nullAnswers = 0;
        for (const m of h.received) {
          expect(m).not.toHaveProperty('method');
          expect('result' in m !== 'error' in m).toBe(true);
          if (m['id'] === null) nullAnswers += 1;
          else got.set(JSON.stringify(m['id']), (got.get(JSON.stringify(m['id'])) ?? 0) + 1);
        }
        expect(got).toEqual(owedAnswers(all));
        expect(nullAnswers).toBeGreaterThanOrEqual(requestsWithBadId);
        expect(got.get('"final"')).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });
});
