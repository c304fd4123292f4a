import { describe, expect, it } from 'vitest';
import { streamModel } from '../../../actors/model/index.js';
import type { ModelStreamEvent } from '../../../protocol/modelStream.schema.js';
import { ofType, provider, request, run, serve, TEST_ENV } from './helpers.js';

describe('streamModel retries and failures', () => {
  it('retries after an HTTP 500 and then completes', async () => {
    const { events, server } = await run({ turns: [{ error: { status: 500, message: 'upstream hiccup' } }, [{ text: 'Recovered.' }]] });
    const retries = ofType(events, 'retrying');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, maxAttempts: 3 });
    expect(retries[0]!.message).toMatch(/500.*upstream hiccup; retrying 1\/3 in \d+ms/);
    expect(events.at(-1)?.type).toBe('completed');
    expect(server.requests).toHaveLength(2);
  });

  it('waits as long as Retry-After says on a 429', async () => {
    const started = Date.now();
    const { events } = await run({ turns: [{ error: { status: 429, message: 'slow down', retryAfterSeconds: 0.3 } }, [{ text: 'ok' }]] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(270);
    expect(ofType(events, 'retrying')[0]).toMatchObject({ delayMs: 300 });
    expect(ofType(events, 'retrying')[0]!.message).toContain('rate limited');
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('gives up when the request retry budget is spent', async () => {
    const boom = { error: { status: 503, message: 'overloaded' } } as const;
    const { events, server } = await run({ turns: [boom, boom, boom] }, { requestMaxRetries: 2 });
    expect(ofType(events, 'retrying').map((e) => e.attempt)).toEqual([1, 2]);
    const failed = events.at(-1) as Extract<ModelStreamEvent, { type: 'failed' }>;
    expect(failed.type).toBe('failed');
    expect(failed.error.message).toContain('overloaded');
    expect(failed.error.codexErrorInfo).toEqual({ responseTooManyFailedAttempts: { httpStatusCode: 503 } });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a stream dropped before response.completed and says so', async () => {
    const { events, server } = await run({
      turns: [{ drop: { afterItems: 1 }, items: [{ text: 'partial' }, { text: 'never sent' }] }, [{ text: 'Second try.' }]],
    });
    const retry = ofType(events, 'retrying')[0]!;
    expect(retry.message).toMatch(/^stream disconnected before completion; retrying 1\/3 in \d+ms$/);
    const afterRetry = events.slice(events.indexOf(retry) + 1);
    expect(
      ofType(afterRetry, 'outputTextDelta')
        .map((d) => d.delta)
        .join(''),
    ).toBe('Second try.');
    expect(events.at(-1)?.type).toBe('completed');
    expect(server.requests).toHaveLength(2);
  });

  it('uses the stream budget for drops, not the request budget', async () => {
    const drop = { drop: {} };
    const { events } = await run({ turns: [drop, drop] }, { streamMaxRetries: 1, requestMaxRetries: 5 });
    expect(ofType(events, 'retrying')).toHaveLength(1);
    const last = events.at(-1) as Extract<ModelStreamEvent, { type: 'failed' }>;
    expect(last.type).toBe('failed');
    expect(last.error.message).toContain('stream disconnected');
    expect(last.error.codexErrorInfo).toEqual({ responseStreamDisconnected: { httpStatusCode: null } });
  });

  it('turns response.failed into a failed event', async () => {
    const { events, server } = await run({ turns: [{ failed: { message: 'the model broke', code: 'invalid_prompt' } }] });
    expect(ofType(events, 'retrying')).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { message: expect.stringContaining('the model broke') } });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a response.failed that reports a server error', async () => {
    const { events } = await run({ turns: [{ failed: { message: 'try later', code: 'server_error' } }, [{ text: 'ok' }]] });
    expect(ofType(events, 'retrying')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('fails on HTTP 400 with the server message and does not retry', async () => {
    const { events, server } = await run({ turns: [{ error: { status: 400, message: 'unknown parameter: frobnicate' } }, [{ text: 'unused' }]] });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'failed',
      error: { message: expect.stringContaining('unknown parameter: frobnicate'), codexErrorInfo: 'badRequest' },
    });
    expect(server.requests).toHaveLength(1);
  });

  it('retries when the stream goes idle longer than the idle timeout', async () => {
    const { events, server } = await run(
      { turns: [[{ text: 'slow', chunks: ['s', 'low'], delayMs: 1_000 }], [{ text: 'fast' }]] },
      { streamIdleTimeoutMs: 150 },
    );
    expect(ofType(events, 'retrying')[0]!.message).toContain('idle timeout');
    expect(events.at(-1)?.type).toBe('completed');
    expect(server.requests).toHaveLength(2);
  });

  it('retries when nothing listens on the port, then reports a connection failure', async () => {
    const server = await serve({ turns: [] });
    await server.close();
    const events: ModelStreamEvent[] = [];
    for await (const event of streamModel(request(provider(server.url, { requestMaxRetries: 1 })), { signal: new AbortController().signal, env: TEST_ENV })) {
      events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(['retrying', 'failed']);
    expect(events[1]).toMatchObject({ error: { codexErrorInfo: { httpConnectionFailed: { httpStatusCode: null } } } });
  });

  it('stops promptly when aborted mid-stream', async () => {
    const server = await serve({ turns: [[{ text: 'one two three', chunks: ['one ', 'two ', 'three'], delayMs: 2_000 }]] });
    const controller = new AbortController();
    const started = Date.now();
    const events: ModelStreamEvent[] = [];
    for await (const event of streamModel(request(provider(server.url)), { signal: controller.signal, env: TEST_ENV })) {
      events.push(event);
      if (event.type === 'outputTextDelta') controller.abort();
    }
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ofType(events, 'outputTextDelta').map((d) => d.delta)).toEqual(['one ']);
    expect(events.some((e) => e.type === 'completed' || e.type === 'failed')).toBe(false);
  });

  it('stops during a backoff wait when aborted', async () => {
    const server = await serve({ turns: [{ error: { status: 429, message: 'wait', retryAfterSeconds: 5 } }] });
    const controller = new AbortController();
    const started = Date.now();
    const events: ModelStreamEvent[] = [];
    for await (const event of streamModel(request(provider(server.url)), { signal: controller.signal, env: TEST_ENV })) {
      events.push(event);
      if (event.type === 'retrying') setTimeout(() => controller.abort(), 20);
    }
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(events.map((e) => e.type)).toEqual(['retrying']);
    expect(server.requests).toHaveLength(1);
  });
});
