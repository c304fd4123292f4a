import { appendFile, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ProtocolEvent } from '../../../protocol/index.js';
import { readRollout, RolloutRecorder, rolloutPath } from '../../../actors/rollout/index.js';
import { makeThread, eachTestHome, turnEvents, turnHistory, usage } from './fixtures.js';

let home: string;
eachTestHome((dir) => (home = dir));

const T0 = Date.UTC(2025, 4, 6, 12, 0, 0);

async function linesOf(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('rolloutPath', () => {
  it('dates the file by the local creation time', () => {
    const d = new Date(T0);
    const p2 = (n: number) => String(n).padStart(2, '0');
    const day = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
    const time = `${p2(d.getHours())}-${p2(d.getMinutes())}-${p2(d.getSeconds())}`;
    expect(rolloutPath('/h', T0, 'abc')).toBe(`/h/sessions/${d.getFullYear()}/${p2(d.getMonth() + 1)}/${p2(d.getDate())}/rollout-${day}T${time}-abc.jsonl`);
  });
});

describe('RolloutRecorder', () => {
  it('records two turns that readRollout rebuilds exactly', async () => {
    const id = 'thr-1';
    const path = rolloutPath(home, T0, id);
    let clock = T0;
    const rec = await RolloutRecorder.create(
      path,
      { thread: makeThread(id, T0), overrides: { cwd: '/work/ws', model: 'gpt-test', approvalPolicy: 'never' } },
      { now: () => (clock += 10) },
    );
    const s0 = T0 / 1000;
    const first = turnEvents(id, 'turn-1', 'say hello', 'Hello there.', s0 + 1);
    const second = turnEvents(id, 'turn-2', 'and again', 'Hello again.', s0 + 5);
    first.forEach((e) => rec.record(e));
    rec.history('turn-1', turnHistory('say hello', 'Hello there.'), usage(100));
    second.forEach((e) => rec.record(e));
    rec.history('turn-2', turnHistory('and again', 'Hello again.'), usage(250));
    await rec.close();

    const types = (await linesOf(path)).map((l) => l.type);
    expect(types).toEqual([
      'meta',
      'turn_started',
      'item_completed',
      'item_completed',
      'turn_completed',
      'history',
      'turn_started',
      'item_completed',
      'item_completed',
      'turn_completed',
      'history',
    ]);

    const stored = await readRollout(path);
    expect(stored.warnings).toEqual([]);
    expect(stored.meta.overrides).toEqual({ cwd: '/work/ws', model: 'gpt-test', approvalPolicy: 'never' });
    expect(stored.thread.status).toEqual({ type: 'notLoaded' });
    expect(stored.thread.path).toBe(path);
    expect(stored.thread.preview).toBe('say hello');
    expect(stored.thread.updatedAt).toBe(Math.floor(clock / 1000));

    const completedItems = (events: ProtocolEvent[]) => events.flatMap((e) => (e.method === 'item/completed' ? [e.params.item] : []));
    const finalTurn = (events: ProtocolEvent[]) => {
      const last = events.find((e) => e.method === 'turn/completed');
      if (last?.method !== 'turn/completed') throw new Error('fixture has no turn/completed');
      return last.params.turn;
    };
    expect(stored.thread.turns).toEqual([
      { ...finalTurn(first), items: completedItems(first) },
      { ...finalTurn(second), items: completedItems(second) },
    ]);
    expect(stored.history).toEqual([...turnHistory('say hello', 'Hello there.'), ...turnHistory('and again', 'Hello again.')]);
    expect(stored.usageTotal).toEqual(usage(250));
  });

  it('refuses to create over an existing file', async () => {
    const path = rolloutPath(home, T0, 'dup');
    const meta = { thread: makeThread('dup', T0), overrides: {} };
    await (await RolloutRecorder.create(path, meta)).close();
    await expect(RolloutRecorder.create(path, meta)).rejects.toThrow();
  });

  it('has every record on disk once flush resolves, in call order', async () => {
    const path = rolloutPath(home, T0, 'flush');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('flush', T0), overrides: {} });
    const events = turnEvents('flush', 't1', 'q', 'a', T0 / 1000);
    events.forEach((e) => rec.record(e));
    rec.history('t1', [], usage(20));
    await rec.flush();
    const lines = await linesOf(path);
    expect(lines.map((l) => l.type)).toEqual(['meta', 'turn_started', 'item_completed', 'item_completed', 'turn_completed', 'history']);
    expect((lines[2]!.item as { id: string }).id).toBe('t1-user');
    expect((lines[3]!.item as { id: string }).id).toBe('t1-msg');
    // turn_completed stores no items; they live in the item records
    expect((lines[4]!.turn as { items: unknown[] }).items).toEqual([]);
    const ts = lines.map((l) => l.ts as number);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    await rec.close();
  });

  it('reports use after close through onError and never throws', async () => {
    const errors: string[] = [];
    const path = rolloutPath(home, T0, 'closed');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('closed', T0), overrides: {} }, { onError: (m) => errors.push(m) });
    await rec.close();
    expect(() => rec.history('t', [], usage(1))).not.toThrow();
    expect(() => rec.history('t', [], usage(2))).not.toThrow();
    await rec.flush();
    expect(errors).toHaveLength(1);
    expect(rec.error).toMatch(/closed/);
  });

  it('keeps going after a failed write', async () => {
    const errors: string[] = [];
    const path = rolloutPath(home, T0, 'fail');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('fail', T0), overrides: {} }, { onError: (m) => errors.push(m) });
    // A usage total that cannot be serialized (BigInt) makes one record fail.
    rec.history('bad', [], { ...usage(1), totalTokens: 1n as unknown as number });
    rec.history('good', [], usage(5));
    await rec.close();
    expect(errors).toHaveLength(1);
    const stored = await readRollout(path);
    expect(stored.usageTotal).toEqual(usage(5));
  });

  it.runIf(existsSync('/dev/full'))('reports a real write failure (ENOSPC) once and does not throw', async () => {
    const errors: string[] = [];
    const rec = await RolloutRecorder.reopen('/dev/full', { onError: (m) => errors.push(m) });
    turnEvents('full', 't1', 'q', 'a', T0 / 1000).forEach((e) => rec.record(e));
    rec.history('t1', [], usage(1));
    await expect(rec.flush()).resolves.toBeUndefined();
    await rec.close();
    expect(errors).toHaveLength(1);
    expect(rec.error).toMatch(/ENOSPC|space/i);
  });

  it('attach records a stream of events', async () => {
    const path = rolloutPath(home, T0, 'attach');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('attach', T0), overrides: {} });
    const events$ = new Subject<ProtocolEvent>();
    const sub = rec.attach(events$);
    turnEvents('attach', 't1', 'hi', 'yo', T0 / 1000).forEach((e) => events$.next(e));
    sub.unsubscribe();
    await rec.close();
    const stored = await readRollout(path);
    expect(stored.thread.turns.map((t) => [t.id, t.status, t.items.length])).toEqual([['t1', 'completed', 2]]);
  });

  it('reopen appends to a resumed thread, mending a torn last line', async () => {
    const path = rolloutPath(home, T0, 'again');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('again', T0), overrides: {} });
    turnEvents('again', 't1', 'one', 'first', T0 / 1000).forEach((e) => rec.record(e));
    await rec.close();
    await appendFile(path, '{"ts":1,"type":"item_comp');
    const size = (await stat(path)).size;

    const again = await RolloutRecorder.reopen(path);
    turnEvents('again', 't2', 'two', 'second', T0 / 1000 + 60).forEach((e) => again.record(e));
    again.history('t2', [], usage(9));
    await again.close();
    expect((await stat(path)).size).toBeGreaterThan(size);
    expect(dirname(path)).toContain('sessions');

    const stored = await readRollout(path);
    expect(stored.warnings).toHaveLength(1);
    expect(stored.thread.turns.map((t) => [t.id, t.status])).toEqual([
      ['t1', 'completed'],
      ['t2', 'completed'],
    ]);
    expect(stored.usageTotal).toEqual(usage(9));
  });
});
