import type { Readable } from 'node:stream';

/** Default per-line cap: 64 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** One framing unit read from the input: a complete text line, or the size of a line that was thrown away. */
export type LineEvent = { kind: 'line'; text: string } | { kind: 'oversized'; bytes: number };

export interface LineReaderOptions {
  /** Lines longer than this (in bytes, newline excluded) are skipped and reported. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into UTF-8 lines. Pull-based: the stream is only read as fast as the
 * consumer asks for lines, so a slow consumer applies backpressure to the producer.
 *
 * Memory stays bounded by the cap: once a line grows past it, its bytes are counted and
 * dropped until the next newline instead of being kept. Blank lines (including a lone
 * `\r`) are skipped; a trailing `\r` is stripped; a final line without newline counts.
 * Splitting on the byte 0x0a before decoding is safe because it never occurs inside a
 * multi-byte UTF-8 sequence.
 */
export async function* readLines(stream: Readable, options: LineReaderOptions = {}): AsyncGenerator<LineEvent> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of the current line seen so far when it is being discarded; -1 when not discarding. */
  let discarded = -1;

  const finishLine = (): LineEvent | undefined => {
    if (discarded >= 0) {
      const bytes = discarded;
      discarded = -1;
      return { kind: 'oversized', bytes };
    }
    const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === CR) end -= 1;
    const text = buf.toString('utf8', 0, end);
    if (text.trim().length === 0) return undefined;
    return { kind: 'line', text };
  };

  const take = (segment: Buffer): void => {
    if (segment.length === 0) return;
    if (discarded >= 0) {
      discarded += segment.length;
      return;
    }
    if (pendingBytes + segment.length > max) {
      discarded = pendingBytes + segment.length;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(segment);
    pendingBytes += segment.length;
  };

  for await (const raw of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        take(chunk.subarray(start));
        break;
      }
      take(chunk.subarray(start, nl));
      start = nl + 1;
      const event = finishLine();
      if (event !== undefined) yield event;
    }
  }
  if (discarded >= 0 || pendingBytes > 0) {
    const event = finishLine();
    if (event !== undefined) yield event;
  }
}
