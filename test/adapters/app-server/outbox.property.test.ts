import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outbox, type OutgoingMessage } from '../../../adapters/app-server/index.js';

const message = fc.oneof(
  fc
    .tuple(fc.constantFrom('a', 'b'), fc.constantFrom(0, 1), fc.string({ maxLength: 3 }))
    .map(([itemId, contentIndex, delta]): OutgoingMessage => ({ method: 'item/reasoning/textDelta', params: { itemId, contentIndex, delta } })),
  fc.constantFrom<OutgoingMessage>(
    { method: 'item/completed', params: { itemId: 'a' } },
    { method: 'turn/started', params: {} },
    { id: 3, result: {} },
    { id: 0, method: 'item/fileChange/requestApproval', params: {} },
  ),
);

const isDelta = (m: OutgoingMessage): boolean => m['method'] === 'item/reasoning/textDelta';
const keyOf = (m: OutgoingMessage): string => {
  const p = m['params'] as Record<string, unknown>;
  return `${String(p['itemId'])}:${String(p['contentIndex'])}`;
};

/** Before each non-delta message: how much text each delta stream had delivered by then. */
const checkpoints = (msgs: OutgoingMessage[]): string[] => {
  const text = new Map<string, string>();
  const out: string[] = [];
  for (const m of msgs) {
    if (isDelta(m)) text.set(keyOf(m), (text.get(keyOf(m)) ?? '') + String((m['params'] as Record<string, unknown>)['delta']));
    else out.push(`${JSON.stringify(m)} after ${JSON.stringify([...text.entries()].sort())}`);
  }
  out.push(`end ${JSON.stringify([...text.entries()].sort())}`);
  return out;
};

describe('Outbox under backpressure (property)', () => {
  it('whatever it merges, every stream has the same text at every non-delta message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { maxLength: 80 }), fc.integer({ min: 0, max: 10 }), async (msgs, coalesceAbove) => {
        const written: OutgoingMessage[] = [];
        const held: Array<() => void> = [];
        let stalled = true;
        const out = new Writable({
          highWaterMark: 1,
          write(chunk: Buffer, _e, cb) {
            for (const l of chunk.toString().split('\n')) if (l) written.push(JSON.parse(l) as OutgoingMessage);
            if (stalled) held.push(() => cb());
            else cb();
          },
        });
        const box = new Outbox(out, { coalesceAbove });
        for (const m of msgs) box.send(m);
        stalled = false;
        for (const cb of held.splice(0)) cb();
        await box.drain();
        expect(checkpoints(written)).toEqual(checkpoints(msgs));
        expect(box.stats.written + box.stats.coalesced).toBe(msgs.length);
      }),
      { numRuns: 200 },
    );
  });
});
