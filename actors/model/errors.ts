import type { HeaderLookup } from './post.js';
import { delayFromMessage, retryAfterMs } from './retry.js';
import { turnError, type AttemptOutcome } from './request.js';

interface ServerError {
  message: string | null;
  code: string | null;
  type: string | null;
}

/** Reads `{error: {message, type, code}}` (or a bare `{message}`) out of an error body. */
export function parseErrorBody(text: string): ServerError {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const inner = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<string, unknown>;
    const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
    return { message: str(inner.message) ?? str(body.error), code: str(inner.code), type: str(inner.type) };
  } catch {
    return { message: null, code: null, type: null };
  }
}

const QUOTA_CODES = new Set(['insufficient_quota', 'usage_not_included', 'billing_hard_limit_reached']);
const CONTEXT_CODES = new Set(['context_length_exceeded']);
/**
 * How OpenAI-compatible servers without the code word the same refusal (vLLM: "This model's
 * maximum context length is 4096 tokens", llama.cpp: "exceeds the available context size").
 */
const CONTEXT_MESSAGE = /maximum context length|context length exceeded|exceeds the (?:available )?context (?:size|window|length)|context window exceeded/i;

const isContextRefusal = (code: string | null, message: string | null): boolean =>
  (code !== null && CONTEXT_CODES.has(code)) || (message !== null && CONTEXT_MESSAGE.test(message));

const RETRYABLE_CODES = new Set(['rate_limit_exceeded', 'server_error', 'server_is_overloaded', 'slow_down', 'internal_error', 'overloaded']);

/** Decides what an HTTP error status means: retry (429, 408, 5xx) or give up with the server's words. */
export function classifyHttpError(status: number, statusText: string, headers: HeaderLookup, bodyText: string): AttemptOutcome {
  const server = parseErrorBody(bodyText);
  const said = server.message ?? (bodyText.trim().slice(0, 500) || statusText || 'no details');
  const label = `${status}${statusText ? ` ${statusText}` : ''}`;
  if (server.code && QUOTA_CODES.has(server.code)) {
    return { kind: 'failed', error: turnError(`quota exceeded (${label}): ${said}`, 'usageLimitExceeded') };
  }
  if (isContextRefusal(server.code, status === 400 || status === 413 ? server.message : null)) {
    return { kind: 'failed', error: turnError(`the conversation is too long for the model (${label}): ${said}`, 'contextWindowExceeded') };
  }
  if (status === 429 || status === 408 || status >= 500) {
    const what = status === 429 ? 'rate limited' : status === 408 ? 'request timed out' : 'server error';
    return {
      kind: 'retry',
      budget: 'request',
      message: `${what} (HTTP ${label}): ${said}`,
      delayMs: retryAfterMs(headers) ?? (status === 429 ? delayFromMessage(said) : null),
      httpStatus: status,
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'failed',
      error: turnError(`the provider refused the credentials (HTTP ${label}): ${said}. Check the API key.`, 'unauthorized'),
    };
  }
  return { kind: 'failed', error: turnError(`the model request failed (HTTP ${label}): ${said}`, status === 400 ? 'badRequest' : 'other') };
}

/** An error reported inside the stream (response.failed, `error` event, chat `{error}` chunk). */
export function classifyStreamError(code: string | null, message: string | null): AttemptOutcome {
  const said = message ?? 'the provider reported an error without details';
  if (code && QUOTA_CODES.has(code)) return { kind: 'failed', error: turnError(`quota exceeded: ${said}`, 'usageLimitExceeded') };
  if (isContextRefusal(code, message)) {
    return { kind: 'failed', error: turnError(`the conversation is too long for the model: ${said}`, 'contextWindowExceeded') };
  }
  if (code && RETRYABLE_CODES.has(code)) {
    return {
      kind: 'retry',
      budget: 'stream',
      message: `the model stream reported ${code}: ${said}`,
      delayMs: delayFromMessage(said),
      httpStatus: null,
    };
  }
  return { kind: 'failed', error: turnError(`the model failed: ${said}`, code === 'invalid_prompt' ? 'badRequest' : 'other', code) };
}

/** A short description of a thrown network error, including its cause. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return error.message;
}
