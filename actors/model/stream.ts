import type { ModelStreamEvent } from '../../protocol/modelStream.schema.js';
import { runAttempt } from './attempt.js';
import { chatWire } from './chat.wire.js';
import { endpointUrl, loadCredentials, requestHeaders } from './http.js';
import { turnError, type AttemptOutcome, type ModelRequest, type StreamOptions } from './request.js';
import { responsesWire } from './responses.wire.js';
import { backoffMs, formatDelay, retryBaseMs, sleep } from './retry.js';

type RetryOutcome = Extract<AttemptOutcome, { kind: 'retry' }>;

/** The final error once a retry budget is spent. */
function exhausted(outcome: RetryOutcome, retries: number): ModelStreamEvent {
  const codexErrorInfo =
    outcome.budget === 'stream'
      ? { responseStreamDisconnected: { httpStatusCode: outcome.httpStatus } }
      : outcome.connection
        ? { httpConnectionFailed: { httpStatusCode: null } }
        : { responseTooManyFailedAttempts: { httpStatusCode: outcome.httpStatus } };
  const tries = retries === 0 ? 'retries are disabled' : `gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'}`;
  return { type: 'failed', error: turnError(`${outcome.message} (${tries})`, codexErrorInfo) };
}

/**
 * Streams one model request over the provider's wire API. Server and network trouble
 * never throws: retryable failures yield `retrying` and try again within the provider's
 * budgets, and the stream ends with `completed` or `failed`. After an abort it stops
 * without further events.
 */
export async function* streamModel(req: ModelRequest, opts: StreamOptions): AsyncGenerator<ModelStreamEvent, void> {
  const { signal, env } = opts;
  const { provider } = req;
  const credentials = await loadCredentials(provider, env, opts.home);
  if ('error' in credentials) {
    yield { type: 'failed', error: credentials.error };
    return;
  }
  const wire = provider.wireApi === 'chat' ? chatWire(req) : responsesWire(req);
  let url: URL;
  try {
    url = endpointUrl(provider, wire.path);
  } catch {
    yield {
      type: 'failed',
      error: turnError(`the base URL of model provider "${provider.name}" is not a valid URL: ${provider.baseUrl}`, 'other'),
    };
    return;
  }
  const headers = requestHeaders(provider, env, credentials.apiKey, req.threadId, opts.userAgent);
  const body = JSON.stringify(wire.body);
  const baseMs = retryBaseMs(env);
  const used = { request: 0, stream: 0 };
  const budget = { request: provider.requestMaxRetries, stream: provider.streamMaxRetries };

  for (;;) {
    if (signal.aborted) return;
    const outcome = yield* runAttempt({ url, headers, body, wire, idleMs: provider.streamIdleTimeoutMs, signal });
    if (signal.aborted || outcome.kind === 'aborted' || outcome.kind === 'completed') return;
    if (outcome.kind === 'failed') {
      yield { type: 'failed', error: outcome.error };
      return;
    }
    const max = budget[outcome.budget];
    if (used[outcome.budget] >= max) {
      yield exhausted(outcome, max);
      return;
    }
    const attempt = ++used[outcome.budget];
    const delayMs = outcome.delayMs ?? backoffMs(attempt, baseMs);
    yield {
      type: 'retrying',
      attempt,
      maxAttempts: max,
      delayMs,
      message: `${outcome.message}; retrying ${attempt}/${max} in ${formatDelay(delayMs)}`,
    };
    await sleep(delayMs, signal);
  }
}
