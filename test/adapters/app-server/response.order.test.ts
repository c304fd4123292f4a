import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ResponseGates } from '../../../adapters/app-server/response.order.js';

type Step = { kind: 'event'; key: string; value: number; ahead: boolean } | { kind: 'hold'; key: string; ahead: boolean } | { kind: 'answer' };

const keys = ['a', 'b'];
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('event' as const), key: fc.constantFrom(...keys), value: fc.integer(), ahead: fc.boolean() }),
  fc.record({ kind: fc.constant('hold' as const), key: fc.constantFrom(...keys), ahead: fc.boolean() }),
  fc.record({ kind: fc.constant('answer' as const) }),
);

/**
 * Drives the gates with a script: events of two streams, requests that hold a stream (some
 * letting marked values go ahead), and answers, oldest request first. Microtasks run between
 * steps, so an answer's release happens before the next step, as a connection's would.
 */
async function run(steps: Step[]) {
  const gates = new ResponseGates<{ value: number; ahead: boolean }>();
  const sources = Object.fromEntries(keys.map((key) => [key, new Subject<{ value: number; ahead: boolean }>()]));
  const out: Array<{ key: string; value: number; at: number }> = [];
  for (const key of keys) gates.ordered(key, sources[key]!).subscribe((event) => out.push({ key, value: event.value, at: clock }));
  const pending: Array<{ key: string; answer: () => void }> = [];
  const holding = new Map<string, number>();
  let clock = 0;
  const sent: Array<{ key: string; value: number; at: number; held: boolean; ahead: boolean }> = [];
  for (const step of steps) {
    clock += 1;
    if (step.kind === 'event') {
      sent.push({ key: step.key, value: step.value, at: clock, held: (holding.get(step.key) ?? 0) > 0, ahead: step.ahead });
      sources[step.key]!.next({ value: step.value, ahead: step.ahead });
    } else if (step.kind === 'hold') {
      let answer = () => {};
      const answered = new Promise<void>((resolve) => (answer = resolve));
      gates.holdUntil(step.key, answered, step.ahead ? (event) => event.ahead : undefined);
      holding.set(step.key, (holding.get(step.key) ?? 0) + 1);
      pending.push({ key: step.key, answer });
    } else {
      const first = pending.shift();
      if (first) {
        first.answer();
        holding.set(first.key, holding.get(first.key)! - 1);
      }
    }
    await Promise.resolve();
    await Promise.resolve();
  }
  clock += 1;
  for (const { answer } of pending.splice(0)) answer();
  await Promise.resolve();
  await Promise.resolve();
  return { out, sent };
}

describe('responses before the notifications they cause', () => {
  it('never reorders, never drops, and holds a stream while a request about it is being answered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 40 }), async (steps) => {
        const { out, sent } = await run(steps);
        for (const key of keys) {
          // Everything comes out, in the order it went in.
          expect(out.filter((event) => event.key === key).map((event) => event.value)).toEqual(
            sent.filter((event) => event.key === key).map((event) => event.value),
          );
        }
        // A value sent while its stream was held came out later, unless it was allowed ahead with nothing waiting before it.
        const perKey = Object.fromEntries(keys.map((key) => [key, out.filter((event) => event.key === key)]));
        for (const key of keys) {
          const came = perKey[key]!;
          sent
            .filter((event) => event.key === key)
            .forEach((event, index) => {
              if (event.held && !event.ahead) expect(came[index]!.at).toBeGreaterThan(event.at);
              if (!event.held) expect(came[index]!.at).toBe(event.at);
            });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lets the loaded thread\u2019s status go ahead of the answer, and nothing that follows a held event', async () => {
    const { out } = await run([
      { kind: 'hold', key: 'a', ahead: true },
      { kind: 'event', key: 'a', value: 1, ahead: true },
      { kind: 'event', key: 'a', value: 2, ahead: false },
      { kind: 'event', key: 'a', value: 3, ahead: true },
      { kind: 'answer' },
    ]);
    expect(out.map((event) => [event.value, event.at])).toEqual([
      [1, 2],
      [2, 5],
      [3, 5],
    ]);
  });
});
