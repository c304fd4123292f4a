/** What the Codex SDK's settings put into a model request: headers, key, verbosity, schema. */
import { describe, expect, it } from 'vitest';
import { streamModel } from '../../../actors/model/index.js';
import { collect, provider, request, serve, TEST_ENV } from './helpers.js';

describe('model requests for the Codex SDK', () => {
  it('names the client from CODEX_INTERNAL_ORIGINATOR_OVERRIDE, and statecraft otherwise', async () => {
    const server = await serve({ turns: [[{ text: 'ok' }], [{ text: 'ok' }]] });
    await collect(
      streamModel(request(provider(server.url)), {
        signal: new AbortController().signal,
        env: { ...TEST_ENV, CODEX_INTERNAL_ORIGINATOR_OVERRIDE: 'codex_sdk_ts' },
      }),
    );
    await collect(streamModel(request(provider(server.url)), { signal: new AbortController().signal, env: TEST_ENV }));
    expect(server.headers.map((headers) => headers['originator'])).toEqual(['codex_sdk_ts', 'statecraft']);
  });

  it('takes the built-in OpenAI provider’s key from CODEX_API_KEY after its own variable; no other provider does', async () => {
    const server = await serve({ turns: [[{ text: 'ok' }], [{ text: 'ok' }], [{ text: 'ok' }]] });
    const send = (id: string, env: NodeJS.ProcessEnv) =>
      collect(
        streamModel(request(provider(server.url, { id, envKey: 'OPENAI_API_KEY' })), { signal: new AbortController().signal, env: { ...TEST_ENV, ...env } }),
      );
    await send('openai', { CODEX_API_KEY: 'sk-codex' });
    await send('openai', { CODEX_API_KEY: 'sk-codex', OPENAI_API_KEY: 'sk-openai' });
    await send('corp', { CODEX_API_KEY: 'sk-codex' });
    expect(server.headers.map((headers) => headers['authorization'])).toEqual(['Bearer sk-codex', 'Bearer sk-openai', undefined]);
  });

  it('says where the key may come from when the OpenAI provider has none', async () => {
    const events = await collect(
      streamModel(request(provider('https://api.example.invalid/v1', { id: 'openai', envKey: 'OPENAI_API_KEY' })), {
        signal: new AbortController().signal,
        env: TEST_ENV,
      }),
    );
    expect(events).toEqual([
      { type: 'failed', error: expect.objectContaining({ message: expect.stringContaining('OPENAI_API_KEY (or CODEX_API_KEY), which is not set') }) },
    ]);
  });

  it('sends verbosity and the output schema in `text`, and neither when not asked for', async () => {
    const server = await serve({ turns: [[{ text: 'ok' }], [{ text: 'ok' }]] });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    await collect(
      streamModel(request(provider(server.url), { verbosity: 'low', outputSchema: { name: 'codex_output_schema', schema } }), {
        signal: new AbortController().signal,
        env: TEST_ENV,
      }),
    );
    await collect(streamModel(request(provider(server.url)), { signal: new AbortController().signal, env: TEST_ENV }));
    const [asked, plain] = server.requests as Array<Record<string, unknown>>;
    expect(asked!.text).toEqual({ verbosity: 'low', format: { type: 'json_schema', name: 'codex_output_schema', schema, strict: true } });
    expect(plain).not.toHaveProperty('text');
  });

  it('reads a hosted web search from the stream as an output item', async () => {
    const server = await serve({ turns: [[{ webSearch: 'statecraft' }, { text: 'found' }]] });
    const events = await collect(streamModel(request(provider(server.url)), { signal: new AbortController().signal, env: TEST_ENV }));
    expect(events.filter((event) => event.type === 'outputItemAdded' || event.type === 'outputItemDone').slice(0, 2)).toEqual([
      { type: 'outputItemAdded', itemType: 'web_search_call', itemId: 'ws_1_0' },
      { type: 'outputItemDone', item: { id: 'ws_1_0', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'statecraft' } } },
    ]);
  });
});
