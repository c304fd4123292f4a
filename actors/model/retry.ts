/** Backoff timing: exponential growth with jitter, or what the server asked for. */
import type { HeaderLookup } from './post.js';

const DEFAULT_BASE_MS = 200;
const FACTOR = 2;
const CAP_MS = 10_000;
/** Longest server-requested wait we accept; beyond it we still wait, but no longer. */
const MAX_SERVER_DELAY_MS = 120_000;

/** The first retry's nominal delay; STATECRAFT_RETRY_BASE_MS overrides it (tests use a few ms). */
export function retryBaseMs(env: NodeJS.ProcessEnv): number {
  const raw = env.STATECRAFT_RETRY_BASE_MS;
  if (raw !== undefined && raw.trim() !== '') {
    const value = Number(raw);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return DEFAULT_BASE_MS;
}

/** Delay before retry number `attempt` (1-based): base * 2^(attempt-1), capped, times 0.9..1.1. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const nominal = Math.min(CAP_MS, baseMs * FACTOR ** Math.max(0, attempt - 1));
  const jitter = 0.9 + random() * 0.2;
  return Math.round(nominal * jitter);
}

/** The wait a response asks for via `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: HeaderLookup, now: number = Date.now()): number | null {
  const millis = headers.get('retry-after-ms');
  if (millis !== null) {
    const value = Number(millis);
    if (Number.isFinite(value) && value >= 0) return clampServerDelay(value);
  }
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return clampServerDelay(seconds * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return clampServerDelay(Math.max(0, date - now));
  }
  return null;
}

/** Rate-limit messages often say "Please try again in 1.2s" or "in 350ms". */
export function delayFromMessage(message: string): number | null {
  const match = /try again in\s+(\d+(?:\.\d+)?)\s*(ms|s|seconds?)\b/i.exec(message);
  if (!match) return null;
  const value = Number(match[1]);
  return clampServerDelay(match[2]!.toLowerCase() === 'ms' ? value : value * 1000);
}

const clampServerDelay = (ms: number): number => Math.min(MAX_SERVER_DELAY_MS, Math.round(ms));

export const formatDelay = (ms: number): string => (ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`);

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
