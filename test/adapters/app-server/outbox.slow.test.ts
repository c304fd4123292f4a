/** Command output to a client that reads too slowly: bounded, with its start, a marker and its end. */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outbox, type OutgoingMessage } from '../../../adapters/app-server/index.js';
import { StalledWritable } from './harness.js';

const output = (itemId: string, delta: string): OutgoingMessage => ({
  method: 'item/commandExecution/outputDelta',
  params: { threadId: 't', turnId: 'u', itemId, delta },
});
const life = (method: string, itemId: string): OutgoingMessage => ({ method, params: { threadId: 't', itemId } });
const isOutput = (m: OutgoingMessage) => m['method'] === 'item/commandExecution/outputDelta';
const itemOf = (m: OutgoingMessage) => (m['params'] as Record<string, string>)['itemId'];

/** The output text each item's deltas delivered, in order. */
const delivered = (msgs: OutgoingMessage[]): Record<string, string> => {
  const text: Record<string, string> = {};
  for (const m of msgs) if (isOutput(m)) text[itemOf(m)!] = (text[itemOf(m)!] ?? '') + (m['params'] as Record<string, string>)['delta'];
  return text;
};

const MARKER = /(\n?)\[… (\d+) characters of output omitted: the client was reading too slowly …\]\n/g;

/**
 * Whether `shown` is `original` with stretches left out, each replaced by a marker that
 * counts it exactly (a marker stands on a line of its own, so it may add a newline before it).
 */
function explains(original: string, shown: string): boolean {
  const parts: Array<{ text: string; newline: string; omitted: number }> = [];
  let last = 0;
  for (const m of shown.matchAll(MARKER)) {
    parts.push({ text: shown.slice(last, m.index), newline: m[1]!, omitted: Number(m[2]) });
    last = m.index + m[0].length;
  }
  parts.push({ text: shown.slice(last), newline: '', omitted: 0 });
  const walk = (i: number, at: number): boolean => {
    if (i === parts.length) return at === original.length;
    const part = parts[i]!;
    const readings = part.newline ? [part.text + part.newline, part.text] : [part.text];
    return readings.some((text) => original.startsWith(text, at) && walk(i + 1, at + text.length + part.omitted));
  };
  return walk(0, 0);
}

describe('Outbox: command output to a slow client', () => {
  it('keeps the start and the end of what a stalled client missed, and says how much it left out', async () => {
    const out = new StalledWritable();
    const box = new Outbox(out, { outputBacklogChars: 4096 });
    let printed = '';
    box.send(life('item/started', 'cmd'));
    for (let i = 0; i < 20_000; i += 1) {
      const line = `line ${i}\n`;
      printed += line;
      box.send(output('cmd', line));
      // Other messages come and go meanwhile; the overflow still takes all of the command's output.
      if (i === 10_000) box.send(life('item/started', 'other'));
    }
    box.send(life('item/completed', 'cmd'));
    // Only a bounded number of messages waits, whatever the command printed.
    expect(box.stats.queued).toBeLessThan(40);
    out.release();
    await box.drain();

    const msgs = out.messages();
    const shown = delivered(msgs)['cmd']!;
    expect(shown.startsWith('line 0\nline 1\n')).toBe(true);
    expect(shown.endsWith('line 19998\nline 19999\n')).toBe(true);
    expect(shown).toMatch(MARKER);
    expect(explains(printed, shown)).toBe(true);
    expect(shown.length).toBeLessThan(3 * 4096);
    const lifecycle = msgs.filter((m) => !isOutput(m)).map((m) => `${m['method']} ${itemOf(m)}`);
    expect(lifecycle).toEqual(['item/started cmd', 'item/started other', 'item/completed cmd']);
    const lastOutput = msgs.findLastIndex(isOutput);
    expect(lastOutput).toBeLessThan(msgs.findIndex((m) => m['method'] === 'item/completed'));
    expect(box.stats.written + box.stats.coalesced).toBe(20_000 + 3);
  });

  it('leaves output alone for a client that keeps up', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l.length > 0),
        );
        cb();
      },
    });
    const box = new Outbox(out, { outputBacklogChars: 1024 });
    let printed = '';
    for (let i = 0; i < 5_000; i += 1) {
      printed += `${i}\n`;
      box.send(output('cmd', `${i}\n`));
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await box.drain();
    expect(delivered(lines.map((l) => JSON.parse(l) as OutgoingMessage))['cmd']).toBe(printed);
  });

  it('whatever arrives, non-output messages keep their order and each output reads as the original with counted gaps (property)', async () => {
    const message = fc.oneof(
      fc.tuple(fc.constantFrom('a', 'b'), fc.stringMatching(/^[xy\n]{0,40}$/)).map(([itemId, delta]) => output(itemId, delta)),
      fc.constantFrom<OutgoingMessage>(
        life('turn/diff/updated', 'a'),
        { id: 3, result: {} },
        { method: 'item/agentMessage/delta', params: { itemId: 'm', delta: 'hi' } },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 300 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 50 }),
        async (msgs, budget, coalesceAbove) => {
          const out = new StalledWritable();
          const box = new Outbox(out, { outputBacklogChars: budget, coalesceAbove });
          for (const m of msgs) box.send(m);
          out.release();
          await box.drain();
          const written = out.messages();
          expect(written.filter((m) => !isOutput(m) && m['method'] !== 'item/agentMessage/delta')).toEqual(
            msgs.filter((m) => !isOutput(m) && m['method'] !== 'item/agentMessage/delta'),
          );
          const original = delivered(msgs);
          const shown = delivered(written);
          for (const item of Object.keys(original)) expect(explains(original[item]!, shown[item] ?? '')).toBe(true);
          expect(box.stats.written + box.stats.coalesced).toBe(msgs.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
