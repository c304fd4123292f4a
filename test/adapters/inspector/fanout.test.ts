/** The live inspector's fan-out: a page that stops reading loses trace frames for itself only, never protocol events, and never holds up the others. */
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BoundedFanout, type Sink } from '../../../adapters/inspector/fanout.js';

/** A page's connection: what it was sent, parsed back into SSE events; `stall` makes its buffer full until `drain`. */
function page() {
  let chunks = '';
  let stalled = false;
  let closed = false;
  let drainListener: (() => void) | null = null;
  const sink: Sink = {
    write(chunk) {
      chunks += chunk;
      return !stalled;
    },
    onDrain(listener) {
      drainListener = listener;
    },
    close() {
      closed = true;
    },
  };
  return {
    sink,
    stall: () => (stalled = true),
    drain() {
      stalled = false;
      const listener = drainListener;
      drainListener = null;
      listener?.();
    },
    get closed() {
      return closed;
    },
    /** Every record received, in order, with the SSE events' names. */
    received() {
      const events = chunks
        .split('\n\n')
        .filter((block) => block.trim() !== '')
        .map((block) => {
          const [, event] = /^event: (.*)$/m.exec(block)!;
          const [, data] = /^data: (.*)$/m.exec(block)!;
          return { event: event!, data: JSON.parse(data!) as { thread?: string; records?: Array<{ k: string; n?: number; count?: number }> } };
        });
      return {
        events,
        records: events.flatMap((event) => (event.event === 'records' ? event.data.records! : [])),
      };
    },
  };
}

const state = (n: number) => ({ thread: 'T', json: JSON.stringify({ k: 'state', n }), droppable: true });
const protocol = (n: number) => ({ thread: 'T', json: JSON.stringify({ k: 'protocol', n }), droppable: false });

describe('BoundedFanout', () => {
  it('drops trace frames for a page that stopped reading, keeps its protocol events, and leaves the other page whole', async () => {
    const fanout = new BoundedFanout({ capacity: 10, hardLimit: 100 });
    const fast = page();
    const slow = page();
    fanout.add(fast.sink);
    const slowPage = fanout.add(slow.sink);
    fanout.record(state(0));
    await tick();
    slow.stall();
    // One more write goes out (and fills the slow page's buffer); after it the slow page reads nothing.
    fanout.record(state(1));
    await tick();
    for (let n = 2; n < 50; n++) fanout.record(n % 10 === 0 ? protocol(n) : state(n));
    await tick();

    const all = fast.received().records.map((record) => record.n);
    expect(all).toEqual(Array.from({ length: 50 }, (_, n) => n));

    // The slow page has nothing new until it drains; then it gets its bounded queue: protocol events all there, trace frames cut, the loss marked.
    expect(slow.received().records.map((record) => record.n)).toEqual([0, 1]);
    slow.drain();
    await tick();
    const got = slow.received().records;
    const protocols = got.filter((record) => record.k === 'protocol').map((record) => record.n);
    expect(protocols).toEqual([10, 20, 30, 40]);
    const states = got.filter((record) => record.k === 'state');
    expect(states.length).toBeLessThan(46);
    const dropped = got.filter((record) => record.k === 'dropped').reduce((sum, record) => sum + record.count!, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + states.length + protocols.length).toBe(50);
    expect(slowPage.dropped()).toBe(dropped);
    // Order is kept among what was delivered.
    const delivered = got.filter((record) => record.k !== 'dropped').map((record) => record.n!);
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));

    // Drained, the page is whole again: nothing more is dropped.
    fanout.record(state(50));
    await tick();
    expect(slow.received().records.at(-1)).toEqual({ k: 'state', n: 50 });
    expect(fast.closed).toBe(false);
    expect(slow.closed).toBe(false);
  });

  it('disconnects a page that falls past the hard limit, and says when the last page has gone', async () => {
    let empty = 0;
    const fanout = new BoundedFanout({ capacity: 2, hardLimit: 5 }, () => empty++);
    const stuck = page();
    const other = page();
    fanout.add(stuck.sink);
    const otherPage = fanout.add(other.sink);
    stuck.stall();
    fanout.record(protocol(0));
    await tick();
    for (let n = 1; n < 10; n++) fanout.record(protocol(n));
    fanout.message('thread', { thread: 'U' });
    await tick();
    expect(stuck.closed).toBe(true);
    expect(fanout.size).toBe(1);
    expect(empty).toBe(0);
    expect(other.received().records.map((record) => record.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(other.received().events.at(-1)).toEqual({ event: 'thread', data: { thread: 'U' } });
    otherPage.remove();
    expect(other.closed).toBe(true);
    expect(fanout.size).toBe(0);
    expect(empty).toBe(1);
  });

  it('sends records of different threads as separate messages, in order', async () => {
    const fanout = new BoundedFanout({ capacity: 10, hardLimit: 20 });
    const one = page();
    fanout.add(one.sink);
    fanout.record(state(1));
    fanout.record({ thread: 'U', json: '{"k":"state","n":2}', droppable: true });
    fanout.record(state(3));
    await tick();
    expect(one.received().events.map((event) => [event.event, event.data.thread, event.data.records!.map((record) => record.n)])).toEqual([
      ['records', 'T', [1]],
      ['records', 'U', [2]],
      ['records', 'T', [3]],
    ]);
  });
});
