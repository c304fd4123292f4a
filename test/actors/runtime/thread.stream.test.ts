/**
 * A thread's streams as adapters see them, with the real runtime and the scripted model on
 * 127.0.0.1: protocol events replayed to whoever subscribes before the first turn, XState's
 * inspection events for every actor of the tree, its trace records for a watcher that comes
 * late, and the session's answer to a second turn.
 */
import { firstValueFrom, filter, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import type { Script } from '../../../actors/model/index.js';
import { openThread, type TraceRecord } from '../../../actors/runtime/index.js';
import type { TextDeltasEvent } from '../../../machines/index.js';
import type { ProtocolEvent } from '../../../protocol/index.js';
import { scriptedRuntime } from '../../support/runtime.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function scene(turns: number | Script['turns']) {
  const script = { turns: typeof turns === 'number' ? Array.from({ length: turns }, (_, i) => [{ text: `answer ${i}` }]) : turns };
  const runtime = await scriptedRuntime(script, cleanup);
  const thread = openThread(runtime, { overrides: { ephemeral: true } });
  cleanup.push(() => thread.close());
  return thread;
}

const completedTurn = (events$: Observable<ProtocolEvent>) => firstValueFrom(events$.pipe(filter((event) => event.method === 'turn/completed')));

describe('a thread as adapters subscribe to it', () => {
  it('replays thread/started to a subscriber that comes after it but before the first turn', async () => {
    const thread = await scene(1);
    await thread.ready();
    const seen: string[] = [];
    thread.events$.subscribe((event) => seen.push(event.method));
    const done = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'hi', text_elements: [] }]);
    await done;
    expect(seen[0]).toBe('thread/started');
    expect(seen.filter((method) => method === 'thread/started')).toHaveLength(1);
    expect(seen.at(-1)).toBe('turn/completed');
    // Once a turn has started, a new subscriber hears only what comes next.
    const late: string[] = [];
    thread.events$.subscribe((event) => late.push(event.method));
    expect(late).toEqual([]);
  });

  it('refuses a second turn while one runs, with the reason, and runs the next after it', async () => {
    const thread = await scene(2);
    await thread.ready();
    const done = completedTurn(thread.events$);
    const first = thread.startTurn([{ type: 'text', text: 'one', text_elements: [] }]);
    expect(first.status).toBe('inProgress');
    expect(() => thread.startTurn([{ type: 'text', text: 'two', text_elements: [] }])).toThrow('a turn is already running on this thread');
    await done;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(thread.current()?.thread.status).toEqual({ type: 'idle' });
    const next = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'three', text_elements: [] }]);
    expect((await next).method).toBe('turn/completed');
  });

  it("streams XState's inspection events of the whole actor tree while someone watches", async () => {
    const thread = await scene(2);
    await thread.ready();
    const inspected: InspectionEvent[] = [];
    const watching = thread.inspection$.subscribe((event) => inspected.push(event));
    const done = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'hi', text_elements: [] }]);
    await done;
    watching.unsubscribe();
    const kinds = new Set(inspected.map((event) => event.type));
    for (const kind of ['@xstate.actor', '@xstate.event', '@xstate.snapshot']) expect(kinds).toContain(kind);
    const actors = new Set(inspected.filter((event) => event.type === '@xstate.actor').map((event) => (event.actorRef as unknown as { id: string }).id));
    expect([...actors]).toEqual(expect.arrayContaining(['turn', 'model', 'prepareTurn', expect.stringMatching(/^turnDiff\//)]));
    expect(inspected.some((event) => event.type === '@xstate.event' && event.event.type === 'turn.start')).toBe(true);
    // Nobody watching: nothing more reaches the stream.
    const after = inspected.length;
    const next = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'again', text_elements: [] }]);
    await next;
    expect(inspected.length).toBe(after);
  });

  it('hands text deltas read together to the turn as one event, and still publishes every delta on its own, in order', async () => {
    const pieces = Array.from({ length: 500 }, (_, i) => `${i} `);
    const thread = await scene([[{ text: pieces.join(''), chunks: pieces }]]);
    await thread.ready();
    const inspected: InspectionEvent[] = [];
    const watching = thread.inspection$.subscribe((event) => inspected.push(event));
    const deltas: string[] = [];
    thread.events$.subscribe((event) => {
      if (event.method === 'item/agentMessage/delta') deltas.push(event.params.delta);
    });
    const done = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'count', text_elements: [] }]);
    await done;
    watching.unsubscribe();
    expect(deltas).toEqual(pieces);
    const runs = inspected.flatMap((event) =>
      event.type === '@xstate.event' && event.event.type === 'model.outputTextDeltas' ? [(event.event as TextDeltasEvent).data.deltas] : [],
    );
    expect(runs.length).toBeGreaterThan(0);
    // The scripted model writes the whole answer at once: it is read in far fewer pieces than it has deltas.
    expect(runs.length).toBeLessThan(pieces.length / 10);
    expect(runs.flat()).toEqual(pieces);
  });

  it('gives a trace watcher that comes late the tree as it stands, then what happens, until it leaves', async () => {
    const thread = await scene(2);
    await thread.ready();
    const first = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'one', text_elements: [] }]);
    await first;
    const records: TraceRecord[] = [];
    const watching = thread.trace$.subscribe((record) => records.push(record));
    // The session as it stands now, first: its actor, then its state.
    expect(records.slice(0, 2)).toEqual([
      expect.objectContaining({ k: 'actor', id: 'session', parent: null, machine: 'session' }),
      expect.objectContaining({ k: 'state', value: 'ready' }),
    ]);
    const next = completedTurn(thread.events$);
    thread.startTurn([{ type: 'text', text: 'two', text_elements: [] }]);
    await next;
    const methods = records.flatMap((record) => (record.k === 'protocol' ? [record.method] : []));
    expect(methods[0]).toBe('thread/status/changed');
    expect(methods).toContain('turn/started');
    expect(methods.at(-1)).toBe('turn/completed');
    expect(records.some((record) => record.k === 'actor' && record.machine === 'turn')).toBe(true);
    // Gone, the watcher is sent nothing more.
    watching.unsubscribe();
    const seen = records.length;
    await thread.close();
    expect(records.length).toBe(seen);
  });
});
