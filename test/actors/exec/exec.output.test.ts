import { afterAll, describe, expect, it } from 'vitest';
import { CAPTURE_CAP_CHARS, ExecSessions, HeadTailBuffer, modelText, wallSeconds } from '../../../actors/exec/index.js';
import { spec, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('HeadTailBuffer', () => {
  it('keeps everything that fits', () => {
    const buffer = new HeadTailBuffer(100);
    buffer.push('hello\n');
    buffer.push('world');
    expect(buffer.render()).toEqual({ text: 'hello\nworld', truncated: false, omitted: 0 });
    expect(buffer.lines).toBe(2);
  });

  it('keeps head and tail around a marker once over budget', () => {
    const buffer = new HeadTailBuffer(20);
    for (let i = 0; i < 100; i++) buffer.push(String(i % 10));
    const { text, truncated, omitted } = buffer.render();
    expect(truncated).toBe(true);
    expect(omitted).toBe(80);
    expect(text).toBe('0123456789\n…80 characters truncated…\n0123456789');
  });

  it('renders a smaller limit from what it kept', () => {
    const buffer = new HeadTailBuffer(1000);
    buffer.push('a'.repeat(300) + 'b'.repeat(300));
    const { text, omitted } = buffer.render(100);
    expect(omitted).toBe(500);
    expect(text).toBe(`${'a'.repeat(50)}\n…500 characters truncated…\n${'b'.repeat(50)}`);
  });

  it('never splits a surrogate pair', () => {
    const buffer = new HeadTailBuffer(10);
    buffer.push('😀'.repeat(20));
    const { text } = buffer.render();
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});

describe('model text', () => {
  it('prints wall time like the reference', () => {
    expect(wallSeconds(0)).toBe('0');
    expect(wallSeconds(1234)).toBe('1.2');
    expect(wallSeconds(2000)).toBe('2');
  });

  it('adds the line count when output was shortened', () => {
    const buffer = new HeadTailBuffer(1000);
    for (let i = 0; i < 100; i++) buffer.push(`line ${i}\n`);
    const text = modelText({ kind: 'exited', exitCode: 0 }, 50, buffer, 40);
    expect(text).toMatch(/^Exit code: 0\nWall time: 0\.1 seconds\nTotal output lines: 100\nOutput:\nline 0\n[\s\S]*characters truncated…\n[\s\S]*line 99\n$/);
  });
});

describe('output caps on real processes', () => {
  it('shortens the model text to maxOutputTokens, head and tail kept', async () => {
    const sessions = new ExecSessions();
    const outcome = await sessions.start(spec('seq 1 5000', dir.path, { maxOutputTokens: 50 }), { onOutput: () => undefined }).done;
    expect(outcome.aggregatedOutput).toContain('\n2500\n');
    expect(outcome.modelOutput).toMatch(/Total output lines: 5000\nOutput:\n1\n2\n3\n[\s\S]*characters truncated…[\s\S]*\n4999\n5000\n$/);
    expect(outcome.modelOutput.length).toBeLessThan(400);
  });

  it('keeps memory bounded for 50 MB of output', async () => {
    const sessions = new ExecSessions();
    let streamed = 0;
    const before = process.memoryUsage().rss;
    const outcome = await sessions.start(spec(`head -c 50000000 /dev/zero | tr '\\0' x; echo; echo END`, dir.path, { yieldTimeMs: 30_000 }), {
      onOutput: (chunk) => {
        streamed += chunk.length;
      },
    }).done;
    expect(outcome.exitCode).toBe(0);
    expect(streamed).toBe(50_000_005);
    expect(outcome.aggregatedOutput.length).toBeLessThanOrEqual(CAPTURE_CAP_CHARS + 100);
    expect(outcome.aggregatedOutput.endsWith('\nEND\n')).toBe(true);
    expect(outcome.modelOutput.length).toBeLessThan(41_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
