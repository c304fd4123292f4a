import { describe, expect, it } from 'vitest';
import { streamModel } from '../../../actors/model/index.js';
import { collect, provider, request, run, TEST_ENV } from './helpers.js';

describe('provider auth, headers and query parameters', () => {
  it('sends the API key, configured headers, env headers and query params', async () => {
    const { server, events } = await run(
      { turns: [[{ text: 'ok' }]] },
      {
        envKey: 'MY_KEY',
        httpHeaders: { 'X-Static': 'static-value' },
        envHttpHeaders: { 'X-From-Env': 'MY_HEADER', 'X-Missing': 'NOT_SET' },
        queryParams: { 'api-version': '2025-01-01' },
      },
      { ...TEST_ENV, MY_KEY: 'sk-test', MY_HEADER: 'from-env' },
    );
    expect(events.at(-1)?.type).toBe('completed');
    expect(server.paths[0]).toBe('/v1/responses?api-version=2025-01-01');
    expect(server.headers[0]).toMatchObject({
      authorization: 'Bearer sk-test',
      'x-static': 'static-value',
      'x-from-env': 'from-env',
      'content-type': 'application/json',
    });
    expect(server.headers[0]!['x-missing']).toBeUndefined();
  });

  it('needs no key for a server on this machine', async () => {
    const { server, events } = await run({ turns: [[{ text: 'ok' }]] }, { envKey: 'OPENAI_API_KEY' }, { ...TEST_ENV, OPENAI_API_KEY: '' });
    expect(events.at(-1)?.type).toBe('completed');
    expect(server.headers[0]!.authorization).toBeUndefined();
  });

  it('fails without a request when a remote provider has no key', async () => {
    const req = request(provider('https://api.example.invalid/v1', { envKey: 'EXAMPLE_API_KEY', name: 'Example' }));
    const events = await collect(streamModel(req, { signal: new AbortController().signal, env: TEST_ENV }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'failed', error: { codexErrorInfo: 'unauthorized' } });
    const message = (events[0] as { error: { message: string } }).error.message;
    expect(message).toContain('EXAMPLE_API_KEY');
    expect(message).toContain('export EXAMPLE_API_KEY=');
  });

  it('leaves reasoning out when no effort is set', async () => {
    const server = await run({ turns: [[{ text: 'ok' }]] }).then((r) => r.server);
    expect(server.requests[0]).toMatchObject({ reasoning: { effort: 'medium' } });
    const plain = request(provider(server.url), { reasoningEffort: null });
    await collect(streamModel(plain, { signal: new AbortController().signal, env: TEST_ENV }));
    const body = server.requests[1] as Record<string, unknown>;
    expect(body.reasoning).toBeUndefined();
    expect(body.include).toEqual([]);
  });
});
