/** The trace builder's bounds: streaming folded into runs, unchanged snapshots dropped, values summarised. */
import { describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import { TraceBuilder, summarise, type TraceRecord } from '../../../actors/trace/index.js';
import type { ProtocolEvent } from '../../../protocol/index.js';

const streamer = setup({
  types: {
    context: {} as { text: string; done: number },
    events: {} as { type: 'model.outputTextDelta'; delta: string } | { type: 'finish' } | { type: 'poke' },
  },
}).createMachine({
  id: 'streamer',
  initial: 'streaming',
  context: { text: '', done: 0 },
  states: {
    streaming: {
      on: {
        'model.outputTextDelta': { actions: assign({ text: ({ context, event }) => context.text + event.delta }) },
        poke: {},
        finish: { target: 'finished', actions: assign({ done: 1 }) },
      },
    },
    finished: { type: 'final' },
  },
});

function traced(
  run: (send: (event: Parameters<ReturnType<typeof createActor<typeof streamer>>['send']>[0]) => void, builder: TraceBuilder) => void,
): TraceRecord[] {
  const records: TraceRecord[] = [];
  let clock = 0;
  const builder = new TraceBuilder(
    (record) => records.push(record),
    () => ++clock,
  );
  const actor = createActor(streamer, { inspect: (event) => builder.inspection(event) });
  actor.start();
  run((event) => actor.send(event), builder);
  builder.settle();
  return records;
}

const delta = (text: string): ProtocolEvent => ({ method: 'item/agentMessage/delta', params: { threadId: 't', turnId: 'u', itemId: 'i', delta: text } });

describe('trace records', () => {
  it('folds a run of deltas, their snapshots and the protocol deltas into one record with a count and a size', () => {
    const records = traced((send, builder) => {
      for (let i = 0; i < 1_000; i++) {
        send({ type: 'model.outputTextDelta', delta: 'abc' });
        builder.protocol(delta('abc'));
      }
      send({ type: 'finish' });
    });
    const kinds = records.map((record) => record.k);
    expect(kinds.filter((kind) => kind === 'deltas')).toHaveLength(1);
    const run = records.find((record) => record.k === 'deltas');
    expect(run).toMatchObject({ count: 1_000, chars: 3_000, records: 3_000, methods: { 'item/agentMessage/delta': 1_000 } });
    // The run ends before the next event, whose state record shows what the streaming changed.
    const after = records.slice(records.indexOf(run!) + 1);
    expect(after.map((record) => record.k)).toEqual(['event', 'state']);
    expect(after[1]).toMatchObject({
      k: 'state',
      value: 'finished',
      status: 'done',
      changed: { done: 1, text: expect.stringMatching(/^abcabc.*\(3000 chars\)$/) },
    });
  });

  it('starts a new run after any other record, and drops snapshots that changed nothing', () => {
    const records = traced((send, builder) => {
      builder.protocol(delta('a'));
      builder.protocol({ method: 'turn/started', params: { threadId: 't', turn: { id: 'u' } } } as unknown as ProtocolEvent);
      builder.protocol(delta('bb'));
      send({ type: 'poke' });
    });
    expect(records.map((record) => record.k)).toEqual(['actor', 'event', 'state', 'deltas', 'protocol', 'deltas', 'event']);
    expect(records.filter((record) => record.k === 'deltas').map((record) => (record.k === 'deltas' ? record.chars : 0))).toEqual([1, 2]);
  });

  it('summarises values within bounds', () => {
    const long = 'y'.repeat(10_000);
    expect(summarise(long)).toMatch(/^y{160}… \(10000 chars\)$/);
    expect(summarise(Array.from({ length: 100 }, (_, i) => i))).toEqual([0, 1, 2, 3, 4, 5, '… 94 more']);
    expect(summarise({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: '{1 keys}' } } });
    const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key${i}`, Array.from({ length: 50 }, () => ({ text: long }))]));
    expect(JSON.stringify(summarise(wide)).length).toBeLessThanOrEqual(2_048);
    expect(summarise({ f: () => 1, u: undefined, n: null })).toEqual({ f: '[function]', u: null, n: null });
  });
});
