import { text } from 'node:stream/consumers';
import type { ModelStreamEvent } from '../../protocol/modelStream.schema.js';
import { classifyHttpError, describeError } from './errors.js';
import { send, type HttpAnswer } from './post.js';
import type { AttemptOutcome, WireApi } from './request.js';
import { IdleTimeoutError, readSse, withIdleTimeout } from './sse.js';

export interface AttemptInput {
  url: URL;
  headers: Record<string, string>;
  body: string;
  wire: WireApi;
  idleMs: number;
  signal: AbortSignal;
}

/**
 * One HTTP request and its stream. Yields events as they arrive and returns how it
 * ended; it never throws for network or server trouble.
 */
export async function* runAttempt(input: AttemptInput): AsyncGenerator<ModelStreamEvent, AttemptOutcome> {
  const { signal, idleMs } = input;
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    let response: HttpAnswer;
    try {
      response = await withIdleTimeout(send(input.url, input.headers, input.body, controller.signal), idleMs);
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      const idle = error instanceof IdleTimeoutError;
      return {
        kind: 'retry',
        budget: 'request',
        message: idle ? `no response from ${input.url.host} within ${idleMs}ms` : `could not reach ${input.url.host}: ${describeError(error)}`,
        delayMs: null,
        httpStatus: null,
        connection: true,
      };
    }
    if (response.status < 200 || response.status > 299) {
      const said = await withIdleTimeout(text(response.body), idleMs).catch(() => '');
      if (signal.aborted) return { kind: 'aborted' };
      return classifyHttpError(response.status, response.statusText, response.headers, said);
    }
    const mapper = input.wire.createMapper();
    try {
      for await (const message of readSse(response.body, idleMs)) {
        if (signal.aborted) return { kind: 'aborted' };
        const result = mapper.onMessage(message.event, message.data);
        for (const event of result.events) yield event;
        if (result.outcome) return result.outcome;
      }
      const end = mapper.onEnd();
      for (const event of end.events) yield event;
      if (end.outcome) return end.outcome;
      return { kind: 'retry', budget: 'stream', message: 'stream disconnected before completion', delayMs: null, httpStatus: null };
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      const message =
        error instanceof IdleTimeoutError ? `idle timeout waiting for the model stream (${idleMs}ms without data)` : 'stream disconnected before completion';
      return { kind: 'retry', budget: 'stream', message, delayMs: null, httpStatus: null };
    }
  } finally {
    signal.removeEventListener('abort', stop);
    controller.abort();
  }
}
