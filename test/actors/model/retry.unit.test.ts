import { describe, expect, it } from 'vitest';
import { classifyHttpError } from '../../../actors/model/errors.js';
import { backoffMs, delayFromMessage, retryAfterMs, retryBaseMs } from '../../../actors/model/retry.js';

describe('retry timing', () => {
  it('grows exponentially with bounded jitter and a cap', () => {
    expect(backoffMs(1, 200, () => 0.5)).toBe(200);
    expect(backoffMs(3, 200, () => 0.5)).toBe(800);
    expect(backoffMs(1, 200, () => 0)).toBe(180);
    expect(backoffMs(1, 200, () => 1)).toBe(220);
    expect(backoffMs(30, 200, () => 0.5)).toBe(10_000);
  });

  it('reads Retry-After as seconds, HTTP date, or retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeNull();
    expect(retryAfterMs(new Headers())).toBeNull();
  });

  it('reads delays from rate-limit messages', () => {
    expect(delayFromMessage('Rate limit reached. Please try again in 1.5s.')).toBe(1500);
    expect(delayFromMessage('Please try again in 20ms')).toBe(20);
    expect(delayFromMessage('nothing here')).toBeNull();
  });

  it('takes the base from STATECRAFT_RETRY_BASE_MS', () => {
    expect(retryBaseMs({})).toBe(200);
    expect(retryBaseMs({ STATECRAFT_RETRY_BASE_MS: '7' })).toBe(7);
    expect(retryBaseMs({ STATECRAFT_RETRY_BASE_MS: 'x' })).toBe(200);
  });
});

describe('HTTP error classification', () => {
  const body = (message: string, code: string | null = null) => JSON.stringify({ error: { message, type: 'x', code } });

  it('retries 429 and 5xx but not other 4xx', () => {
    expect(classifyHttpError(429, 'Too Many Requests', new Headers(), body('slow'))).toMatchObject({ kind: 'retry', budget: 'request' });
    expect(classifyHttpError(502, 'Bad Gateway', new Headers(), 'oops')).toMatchObject({ kind: 'retry', message: expect.stringContaining('oops') });
    expect(classifyHttpError(404, 'Not Found', new Headers(), body('no such model'))).toMatchObject({ kind: 'failed' });
  });

  it('treats quota and context errors as final', () => {
    expect(classifyHttpError(429, '', new Headers(), body('pay up', 'insufficient_quota'))).toMatchObject({
      kind: 'failed',
      error: { codexErrorInfo: 'usageLimitExceeded' },
    });
    expect(classifyHttpError(400, '', new Headers(), body('too long', 'context_length_exceeded'))).toMatchObject({
      kind: 'failed',
      error: { codexErrorInfo: 'contextWindowExceeded' },
    });
    expect(classifyHttpError(401, 'Unauthorized', new Headers(), body('bad key'))).toMatchObject({ error: { codexErrorInfo: 'unauthorized' } });
  });
});
