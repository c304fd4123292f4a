import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deltaKey, Outbox, type OutgoingMessage } from '../../../adapters/app-server/index.js';
import { StalledWritable } from './harness.js';

const delta = (itemId: string, text: string, extra: Record<string, unknown> = {}): OutgoingMessage => ({
  method: 'item/agentMessage/delta',
  params: { threadId: 't', turnId: 'u', itemId, delta: text, ...extra },
  emittedAtMs: 1,
});
const life = (method: string, itemId: string): OutgoingMessage => ({ method, params: { threadId: 't', itemId }, emittedAtMs: 1 });

describe('deltaKey', () => {
  it('keys deltas by method, item and index; nothing else has a key', () => {
    expect(deltaKey(delta('a', 'x'))).toBeDefined();
    expect(deltaKey(delta('a', 'x'))).toBe(deltaKey(delta('a', 'y')));
    expect(deltaKey(delta('a', 'x'))).not.toBe(deltaKey(delta('b', 'x')));
    const r0 = { method: 'item/reasoning/textDelta', params: { itemId: 'r', delta: 'x', contentIndex: 0 } };
    const r1 = { method: 'item/reasoning/textDelta', params: { itemId: 'r', delta: 'x', contentIndex: 1 } };
    expect(deltaKey(r0)).not.toBe(deltaKey(r1));
    expect(deltaKey(life('item/completed', 'a'))).toBeUndefined();
    expect(deltaKey({ id: 1, result: {} })).toBeUndefined();
    expect(deltaKey({ id: 1, method: 'x/delta', params: { itemId: 'a', delta: 'q' } })).toBeUndefined();
  });
});

describe('Outbox', () => {
  it('writes one JSON line per message in order when the output keeps up', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const box = new Outbox(out);
    box.send({ id: 1, result: {} });
    box.send(delta('a', 'x'));
    box.send(delta('a', 'y'));
    await box.drain();
    expect(lines).toEqual(['{"id":1,"result":{}}\n', `${JSON.stringify(delta('a', 'x'))}\n`, `${JSON.stringify(delta('a', 'y'))}\n`]);
    expect(box.stats).toEqual({ queued: 0, written: 3, coalesced: 0 });
  });

  it('under backpressure merges deltas per item but never drops or reorders anything else', async () => {
    const out = new StalledWritable();
    const box = new Outbox(out, { coalesceAbove: 10 });
    const expected: Record<string, string> = { a: '', b: '' };
    box.send(life('item/started', 'a'));
    box.send(life('item/started', 'b'));
    for (let i = 0; i < 3000; i += 1) {
      const item = i % 2 === 0 ? 'a' : 'b';
      box.send(delta(item, `${i},`));
      expected[item] += `${i},`;
      if (i === 1500) box.send({ id: 'mid', result: { ok: true } });
      if (i === 2000) box.send({ id: 0, method: 'item/commandExecution/requestApproval', params: {} });
    }
    box.send(life('item/completed', 'a'));
    box.send(life('item/completed', 'b'));
    expect(box.stats.coalesced).toBeGreaterThan(2900);
    let drained = false;
    const done = box.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false);
    out.release();
    await done;

    const msgs = out.messages();
    const text: Record<string, string> = { a: '', b: '' };
    for (const m of msgs) if (m['method'] === 'item/agentMessage/delta') text[m['params']['itemId'] as string] += m['params']['delta'];
    expect(text).toEqual(expected);
    const others = msgs.filter((m) => m['method'] !== 'item/agentMessage/delta').map((m) => m['method'] ?? m['id']);
    expect(others).toEqual(['item/started', 'item/started', 'mid', 'item/commandExecution/requestApproval', 'item/completed', 'item/completed']);
    expect(msgs.length).toBeLessThan(100);
    expect(box.stats.written + box.stats.coalesced).toBe(3000 + 6);
    // Each item's text arrives before its completion.
    const lastDeltaA = msgs.findLastIndex((m) => m['params']?.['itemId'] === 'a' && m['method'] === 'item/agentMessage/delta');
    const completedA = msgs.findIndex((m) => m['method'] === 'item/completed' && m['params']['itemId'] === 'a');
    expect(lastDeltaA).toBeLessThan(completedA);
  });

  it('does not merge a delta across a lifecycle message', async () => {
    const out = new StalledWritable();
    const box = new Outbox(out, { coalesceAbove: 0 });
    box.send(delta('a', '1'));
    box.send(delta('a', '2'));
    box.send(life('item/completed', 'a'));
    box.send(delta('a', '3'));
    box.send(delta('a', '4'));
    out.release();
    await box.drain();
    expect(out.messages().map((m) => m['params']['delta'] ?? m['method'])).toEqual(['1', '2', 'item/completed', '34']);
  });

  it('keeps different content indexes apart', async () => {
    const out = new StalledWritable();
    const box = new Outbox(out, { coalesceAbove: 0 });
    const r = (i: number, d: string) => ({ method: 'item/reasoning/textDelta', params: { itemId: 'r', contentIndex: i, delta: d } });
    box.send(r(0, 'x'));
    box.send(r(0, 'a'));
    box.send(r(0, 'b'));
    box.send(r(1, 'c'));
    box.send(r(0, 'd'));
    out.release();
    await box.drain();
    expect(out.messages().map((m) => `${m['params']['contentIndex']}:${m['params']['delta']}`)).toEqual(['0:x', '0:abd', '1:c']);
  });

  it('send never blocks and throws only for unserializable messages', () => {
    const out = new StalledWritable();
    const box = new Outbox(out);
    const start = Date.now();
    for (let i = 0; i < 10_000; i += 1) box.send({ method: 'turn/started', params: { i } });
    expect(Date.now() - start).toBeLessThan(2000);
    expect(() => box.send({ id: 1, result: { n: 1n } })).toThrow();
    expect(box.stats.queued).toBe(9_999);
  });

  it('stops writing, and drain resolves, when the output fails', async () => {
    const out = new Writable({
      write(_c, _e, cb) {
        cb(new Error('EPIPE'));
      },
    });
    const logs: string[] = [];
    const box = new Outbox(out, { log: (l) => logs.push(l) });
    box.send({ id: 1, result: {} });
    await box.drain();
    box.send({ id: 2, result: {} });
    await box.drain();
    expect(logs.some((l) => l.includes('EPIPE'))).toBe(true);
  });
});
