import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StartupReplay } from '../../../actors/runtime/startup.replay.js';

type Step = { kind: 'publish' } | { kind: 'subscribe' } | { kind: 'firstTurn' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'publish' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'subscribe' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'firstTurn' as const }) },
);

describe("a thread's event stream for late subscribers", () => {
  it('replays from the start to anyone who subscribes before the first turn, and then only what is new', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const replay = new StartupReplay<number>();
        const published: number[] = [];
        let turnAt: number | null = null;
        const subscribers: Array<{ from: number; beforeTurn: boolean; seen: number[] }> = [];
        for (const step of steps) {
          if (step.kind === 'publish') {
            published.push(published.length);
            replay.next(published.length - 1);
          } else if (step.kind === 'subscribe') {
            const subscriber = { from: published.length, beforeTurn: turnAt === null, seen: [] as number[] };
            replay.events$.subscribe((value) => subscriber.seen.push(value));
            subscribers.push(subscriber);
          } else if (turnAt === null) {
            turnAt = published.length;
            replay.settle();
          }
        }
        for (const subscriber of subscribers) {
          const expected = subscriber.beforeTurn ? published : published.slice(subscriber.from);
          expect(subscriber.seen).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('completes every subscriber when the thread ends, the early ones after their replay', () => {
    const replay = new StartupReplay<string>();
    replay.next('thread/started');
    const seen: string[] = [];
    let done = false;
    replay.events$.subscribe({ next: (value) => seen.push(value), complete: () => (done = true) });
    replay.complete();
    expect(seen).toEqual(['thread/started']);
    expect(done).toBe(true);
  });
});
