import { appendFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRollout, RolloutRecorder, rolloutPath } from '../../../actors/rollout/index.js';
import { makeThread, eachTestHome, turnEvents, turnHistory, usage } from './fixtures.js';

let home: string;
eachTestHome((dir) => (home = dir));

const T0 = Date.UTC(2025, 0, 2, 9, 30, 0);

describe('readRollout after a crash', () => {
  it('skips a torn line, interrupts the open turn and synthesizes its history', async () => {
    const id = 'crashy';
    const path = rolloutPath(home, T0, id);
    let clock = T0;
    const rec = await RolloutRecorder.create(path, { thread: makeThread(id, T0), overrides: { cwd: '/work/ws' } }, { now: () => (clock += 1000) });
    const s0 = T0 / 1000;
    turnEvents(id, 't1', 'first question', 'first answer', s0).forEach((e) => rec.record(e));
    rec.history('t1', turnHistory('first question', 'first answer'), usage(120));
    // Second turn: the process dies after the agent message completed, before turn/completed.
    const second = turnEvents(id, 't2', 'second question', 'second answer', s0 + 30);
    const cut = second.findIndex((e) => e.method === 'thread/tokenUsage/updated');
    second.slice(0, cut).forEach((e) => rec.record(e));
    await rec.close();
    const lastTs = clock;
    await appendFile(path, '{"ts":99,"type":"item_completed","turnId":"t2","ite');

    const stored = await readRollout(path);
    expect(stored.warnings).toHaveLength(1);
    expect(stored.warnings[0]).toContain(path);
    expect(stored.warnings[0]).toMatch(/:10:/);

    const [t1, t2] = stored.thread.turns;
    expect(t1?.status).toBe('completed');
    expect(t2?.status).toBe('interrupted');
    expect(t2?.error).toBeNull();
    expect(t2?.items.map((i) => i.type)).toEqual(['userMessage', 'agentMessage']);
    expect(t2?.completedAt).toBe(Math.floor(lastTs / 1000));
    // turn_started was the 7th stamped record: ts = T0 + 7s; last record at T0 + 9s
    expect(t2?.durationMs).toBe(2000);
    expect(stored.thread.updatedAt).toBe(Math.floor(lastTs / 1000));

    expect(stored.history).toEqual([
      ...turnHistory('first question', 'first answer'),
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second question' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'second answer' }] },
    ]);
    expect(stored.usageTotal).toEqual(usage(120));
  });

  it('skips garbage lines anywhere and still reads the rest', async () => {
    const path = rolloutPath(home, T0, 'noisy');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('noisy', T0), overrides: {} });
    await rec.close();
    await appendFile(path, 'not json\n{"ts":1,"type":"mystery"}\n\n');
    const stored = await readRollout(path);
    expect(stored.warnings).toHaveLength(2);
    expect(stored.warnings[0]).toMatch(/:2: /);
    expect(stored.warnings[1]).toMatch(/:3: /);
    expect(stored.thread.turns).toEqual([]);
    expect(stored.history).toEqual([]);
    expect(stored.usageTotal.totalTokens).toBe(0);
  });

  it('throws for a missing file or one without a meta line', async () => {
    await expect(readRollout(join(home, 'nope.jsonl'))).rejects.toThrow(/not found/);
    const path = join(home, 'sessions', 'bad.jsonl');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '{"ts":1,"type":"turn_st\n');
    await expect(readRollout(path)).rejects.toThrow(/no valid meta/);
  });
});
