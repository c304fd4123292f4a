import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveApiKey } from '../../../actors/auth/index.js';
import { fetchServedModels } from '../../../actors/model/index.js';
import { provider, serve } from './helpers.js';

const failure = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'no error',
    (error: Error) => error.message,
  );

describe('the models a provider serves (GET {base_url}/models)', () => {
  it("lists the served ids with the headers, key and query parameters the provider's model requests carry", async () => {
    const server = await serve({ turns: [], models: ['qwen2.5-coder:7b', 'llama3.1:8b', 'qwen2.5-coder:7b'] });
    const settings = provider(server.url, {
      envKey: 'LOCAL_KEY',
      httpHeaders: { 'X-Static': 'static-value' },
      envHttpHeaders: { 'X-From-Env': 'LOCAL_HEADER' },
      queryParams: { 'api-version': '7' },
    });
    const models = await fetchServedModels(settings, { env: { LOCAL_KEY: 'sk-local', LOCAL_HEADER: 'from-env' }, userAgent: 'tester/1.0' });
    // A repeated id is listed once.
    expect(models).toEqual([
      { id: 'qwen2.5-coder:7b', ownedBy: 'statecraft' },
      { id: 'llama3.1:8b', ownedBy: 'statecraft' },
    ]);
    expect(server.modelListHeaders).toHaveLength(1);
    expect(server.modelListHeaders[0]).toMatchObject({
      authorization: 'Bearer sk-local',
      'x-static': 'static-value',
      'x-from-env': 'from-env',
      'user-agent': 'tester/1.0',
      accept: 'application/json',
    });
    // A list is no model request.
    expect(server.requests).toEqual([]);
  });

  it('lists "scripted-model" from a script that names no models (as the demo and mock-model serve)', async () => {
    const server = await serve({ turns: [] });
    expect(await fetchServedModels(provider(server.url), { env: {} })).toEqual([{ id: 'scripted-model', ownedBy: 'statecraft' }]);
  });

  it('sends the key `statecraft login` stored, for a provider that takes one', async () => {
    const home = await mkdtemp(join(tmpdir(), 'statecraft-served-'));
    try {
      await saveApiKey(home, 'file', 'sk-stored-0001');
      const server = await serve({ turns: [], models: ['m'] });
      await fetchServedModels(provider(server.url, { envKey: 'UNSET_KEY', requiresOpenaiAuth: true, credentialsStore: 'file' }), { env: {}, home });
      expect(server.modelListHeaders[0]?.authorization).toBe('Bearer sk-stored-0001');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('says what went wrong: an HTTP error, a body that is not JSON, JSON that is not a model list', async () => {
    const refused = await serve({ turns: [], models: { error: { status: 401, message: 'bad key' } } });
    expect(await failure(fetchServedModels(provider(refused.url), { env: {} }))).toBe(`GET ${refused.url}/models answered HTTP 401: bad key`);

    const junk = await serve({ turns: [], models: { body: '<html>gateway</html>' } });
    expect(await failure(fetchServedModels(provider(junk.url), { env: {} }))).toMatch(
      new RegExp(`^GET ${junk.url}/models answered something that is not JSON \\(.+\\): <html>gateway</html>$`),
    );

    const notAList = await serve({ turns: [], models: { body: '{"models": ["a"]}' } });
    expect(await failure(fetchServedModels(provider(notAList.url), { env: {} }))).toContain('answered JSON that is not a model list');
  });

  it('reports a server that cannot be reached, one that does not answer in time, and a remote one without a key', async () => {
    const gone = await serve({ turns: [] });
    await gone.close();
    expect(await failure(fetchServedModels(provider(gone.url), { env: {} }))).toMatch(/^could not reach http:\/\/127\.0\.0\.1:\d+\/v1\/models: .*ECONNREFUSED/);

    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
      expect(await failure(fetchServedModels(provider(url), { env: {}, timeoutMs: 100 }))).toBe(`GET ${url}/models did not answer within 100 ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }

    const remote = provider('https://models.example.invalid/v1', { envKey: 'EXAMPLE_KEY', name: 'Example' });
    expect(await failure(fetchServedModels(remote, { env: {} }))).toContain('needs an API key in the environment variable EXAMPLE_KEY');
  });
});
