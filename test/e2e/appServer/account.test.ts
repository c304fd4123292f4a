/** account/read, account/login/start and account/logout, with account/updated, against a file store. */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenes, text } from './client.js';

const scene = scenes();
const KEY = 'sk-appserver-key-abcd1234';

describe('app-server: account', () => {
  it('logs in with an API key, reports the account, sends the key to the model, and logs out', async () => {
    const f = await scene.open({ turns: [[{ text: 'authorised' }]] });
    await writeFile(
      join(f.home, 'config.toml'),
      [
        'model_provider = "mock"',
        'cli_auth_credentials_store = "file"',
        '[model_providers.mock]',
        'name = "mock"',
        `base_url = "${f.model.url}"`,
        'env_key = "MOCK_API_KEY"',
        'requires_openai_auth = true',
        '',
      ].join('\n'),
    );
    const c = scene.connect(f);
    await c.init();
    expect(await c.call('account/read', {})).toEqual({ account: null, requiresOpenaiAuth: true });

    const refused = await c.request('account/login/start', { type: 'chatgpt' });
    expect(refused.error.code).toBe(-32602);

    const from = c.messages.length;
    expect(await c.call('account/login/start', { type: 'apiKey', apiKey: KEY })).toEqual({ type: 'apiKey' });
    const updated = await c.waitFor('account/updated', undefined, 10_000, from);
    expect(updated.params).toEqual({ authMode: 'apikey', planType: null });
    expect((await stat(join(f.home, 'auth.json'))).mode & 0o777).toBe(0o600);
    expect(await c.call('account/read', {})).toEqual({ account: { type: 'apiKey' }, requiresOpenaiAuth: true });

    const started = await c.call('thread/start', { cwd: f.ws });
    const { turn } = await c.call('turn/start', { threadId: started.thread.id, input: text('hi') });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    expect(f.model.headers[0]?.authorization).toBe(`Bearer ${KEY}`);

    const before = c.messages.length;
    expect(await c.call('account/logout', {})).toEqual({});
    expect((await c.waitFor('account/updated', undefined, 10_000, before)).params).toEqual({ authMode: null, planType: null });
    expect(await c.call('account/read', {})).toEqual({ account: null, requiresOpenaiAuth: true });
    expect(await c.close()).toBe(0);
    expect(c.stderr()).not.toContain(KEY);
    expect(JSON.stringify(c.messages)).not.toContain(KEY);
  });
});
