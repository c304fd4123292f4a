import { errorMessage } from '../../protocol/text.js';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Thrown when the server sends nothing for longer than the idle timeout. */
export class IdleTimeoutError extends Error {
  constructor(readonly idleMs: number) {
    super(`no data from the model for ${idleMs}ms`);
    this.name = 'IdleTimeoutError';
  }
}

/** Waits for `promise`, but rejects with IdleTimeoutError if it takes longer than `ms`. */
export function withIdleTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new IdleTimeoutError(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(errorMessage(error)));
      },
    );
  });
}

/**
 * The SSE messages of a response body, as they arrive. Each read from the socket must
 * come within `idleMs`; a clean end of the body simply ends the iteration.
 */
export async function* readSse(body: AsyncIterable<Uint8Array>, idleMs: number): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const reader = body[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const next: IteratorResult<Uint8Array> = await withIdleTimeout(reader.next(), idleMs);
      parser.feed(next.done ? decoder.decode() : decoder.decode(next.value, { stream: true }));
      while (pending.length > 0) yield pending.shift()!;
      if (next.done) return;
    }
  } finally {
    // Ends the body early when the caller stops reading (a Node stream is destroyed by it).
    reader.return?.().catch(() => undefined);
  }
}
