/**
 * Tracing a real thread (the runtime with the scripted model on 127.0.0.1): the trace file
 * beside the rollout, its records, its bound on a 20,000-delta turn, and nothing when off.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Script } from '../../../actors/model/index.js';
import { openThread } from '../../../actors/runtime/index.js';
import { readTrace, tracePath, type TraceRecord } from '../../../actors/trace/index.js';
import { scriptedRuntime } from '../../support/runtime.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Runs one turn of `script` on a recorded thread, traced when `trace`; returns the rollout path. */
async function runTurn(script: Script, trace: boolean): Promise<string> {
  const runtime = await scriptedRuntime(script, cleanup, trace ? ['trace=true'] : []);
  const thread = openThread(runtime);
  const { thread: record } = await thread.ready();
  const done = firstValueFrom(thread.events$.pipe(filter((event) => event.method === 'turn/completed')));
  thread.startTurn([{ type: 'text', text: 'go', text_elements: [] }]);
  await done;
  await thread.close();
  return record.path!;
}

const states = (records: TraceRecord[], id: string) => {
  const actors = new Set(records.flatMap((record) => (record.k === 'actor' && record.id === id ? [record.a] : [])));
  return records.flatMap((record) => (record.k === 'state' && actors.has(record.a) ? [record.value] : []));
};

describe('the trace of a thread', () => {
  it('records actors, events, state changes and protocol events beside the rollout', async () => {
    const rollout = await runTurn({ turns: [[{ text: 'hello there', chunks: ['hello', ' there'] }]] }, true);
    const { records, warnings } = await readTrace(tracePath(rollout));
    expect(warnings).toEqual([]);
    expect(dirname(tracePath(rollout))).toBe(dirname(rollout));
    expect(records[0]).toMatchObject({ k: 'meta', v: 1 });
    const session = records.find((record) => record.k === 'actor' && record.parent === null);
    expect(session).toMatchObject({ id: expect.any(String), machine: 'session' });
    expect(records.some((record) => record.k === 'actor' && record.machine === 'turn')).toBe(true);
    expect(records.some((record) => record.k === 'event' && record.type === 'turn.start')).toBe(true);
    expect(states(records, 'turn')).toEqual(expect.arrayContaining(['preparing', 'sampling']));
    const methods = records.flatMap((record) => (record.k === 'protocol' ? [record.method] : []));
    expect(methods).toEqual(expect.arrayContaining(['thread/started', 'turn/started', 'item/started', 'item/completed', 'turn/completed']));
    expect(methods.indexOf('turn/started')).toBeLessThan(methods.indexOf('turn/completed'));
    // The two deltas are one record, with their count and size.
    const runs = records.filter((record) => record.k === 'deltas');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ count: 2, chars: 'hello there'.length, methods: { 'item/agentMessage/delta': 2 } });
    // The rollout listing is not confused by the trace beside it.
    expect((await readdir(dirname(rollout))).sort()).toEqual([rollout, tracePath(rollout)].map((path) => path.split('/').pop()).sort());
  });

  it('keeps a 20,000-delta turn under 1 MB', async () => {
    const rollout = await runTurn({ turns: [[{ text: 'x', chunks: ['x'], repeat: 20_000 }]] }, true);
    const size = (await stat(tracePath(rollout))).size;
    expect(size).toBeLessThan(1_000_000);
    const { records } = await readTrace(tracePath(rollout));
    const runs = records.flatMap((record) => (record.k === 'deltas' ? [record] : []));
    expect(runs.reduce((sum, run) => sum + run.count, 0)).toBe(20_000);
    expect(runs.reduce((sum, run) => sum + run.chars, 0)).toBe(20_000);
    expect(records.length).toBeLessThan(500);
  });

  it('writes no trace when tracing is off', async () => {
    const rollout = await runTurn({ turns: [[{ text: 'hi' }]] }, false);
    await expect(stat(tracePath(rollout))).rejects.toThrow(/ENOENT/);
    await expect(readTrace(tracePath(rollout))).rejects.toThrow(/recorded without tracing/);
  });
});
