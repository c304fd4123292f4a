import { PassThrough, Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readLines, type LineEvent } from '../../../adapters/shared/index.js';
import { createHarness } from '../app-server/harness.js';

const collect = async (chunks: Array<string | Buffer>, maxLineBytes?: number): Promise<LineEvent[]> => {
  const out: LineEvent[] = [];
  const opts = maxLineBytes === undefined ? {} : { maxLineBytes };
  for await (const ev of readLines(Readable.from(chunks, { objectMode: false }), opts)) out.push(ev);
  return out;
};

const lines = (...texts: string[]): LineEvent[] => texts.map((text) => ({ kind: 'line', text }));

const MiB = 1024 * 1024;

describe('readLines', () => {
  it('splits on LF and CRLF, skips blank lines, keeps a last line without newline', async () => {
    expect(await collect(['a\r\n\r\n', '\n  \nb', 'c\n', 'd'])).toEqual(lines('a', 'bc', 'd'));
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('héllo wörld ✓\n', 'utf8');
    const parts = [...bytes].map((b) => Buffer.from([b]));
    expect(await collect(parts)).toEqual(lines('héllo wörld ✓'));
  });

  it('reports a line over the cap by size and carries on', async () => {
    expect(await collect(['x'.repeat(5), 'y'.repeat(6), '\nok\n', 'z'.repeat(20)], 10)).toEqual([
      { kind: 'oversized', bytes: 11 },
      { kind: 'line', text: 'ok' },
      { kind: 'oversized', bytes: 20 },
    ]);
  });

  it('accepts a line of exactly the cap', async () => {
    expect(await collect(['abcdefghij\n'], 10)).toEqual(lines('abcdefghij'));
  });

  it('skips a 70 MiB line without keeping it in memory', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let midway = Number.POSITIVE_INFINITY;
    async function* source(): AsyncGenerator<Buffer> {
      gc();
      const base = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 70; i += 1) {
        if (i === 60) {
          gc();
          gc();
          midway = process.memoryUsage().arrayBuffers - base;
        }
        yield Buffer.alloc(MiB, 0x61);
      }
      yield Buffer.from('\n{"after":true}\n');
    }
    const out: LineEvent[] = [];
    for await (const ev of readLines(Readable.from(source(), { objectMode: false, highWaterMark: 1 }), { maxLineBytes: MiB })) out.push(ev);
    expect(out).toEqual([
      { kind: 'oversized', bytes: 70 * MiB },
      { kind: 'line', text: '{"after":true}' },
    ]);
    // Buffering the line would hold about 60 MiB here.
    expect(midway).toBeLessThan(16 * MiB);
  });
});

describe('connection framing', () => {
  it('answers an oversized line with -32600 and still serves the next line', async () => {
    const h = createHarness({ maxLineBytes: MiB });
    const chunk = Buffer.alloc(MiB, 0x20);
    for (let i = 0; i < 70; i += 1) {
      if (!h.input.write(chunk)) await new Promise((r) => h.input.once('drain', r));
    }
    h.input.write('\r\n');
    h.send({ id: 1, method: 'initialize', params: { clientInfo: { name: 'n', version: '1' } } });
    const tooLong = await h.response(null);
    expect(tooLong).toEqual({ id: null, error: { code: -32600, message: `line too long: ${70 * MiB + 1} bytes (limit ${MiB})` } });
    expect(await h.response(1)).toHaveProperty('result');
    await h.end();
  });

  it('handles CRLF, blank lines and a final request without newline', async () => {
    const h = createHarness();
    h.input.write('\r\n\n{"id":1,"method":"initialize","params":{"clientInfo":{"name":"n","version":"1"}}}\r\n\r\n');
    h.input.end('{"id":2,"method":"initialize","params":{"clientInfo":{"name":"n","version":"1"}}}');
    await h.connection.closed;
    expect(h.received.map((m) => m['id'])).toEqual([1, 2]);
    expect(h.received[1]?.['error']?.['message']).toBe('Already initialized');
  });

  it('a stream given as strings works too', async () => {
    const input = new PassThrough({ encoding: 'utf8' });
    input.end('a\nb');
    const out: LineEvent[] = [];
    for await (const ev of readLines(input)) out.push(ev);
    expect(out).toEqual(lines('a', 'b'));
  });
});
