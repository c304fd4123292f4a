/** model/list from the provider's own list, the upgrade notice, and reasoning efforts the model does not support. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScriptedServer } from '../../../actors/model/index.js';
import { scenes, text } from './client.js';

const scene = scenes();
const KEY = 'sk-models-key-0042';

const ids = (page: { data: Array<{ id: string }> }) => page.data.map((model) => model.id);

describe('app-server: models', () => {
  it("merges the provider's models with the catalog, pages them, sends the stored key, and asks the provider once", async () => {
    const f = await scene.open({ turns: [], models: ['qwen2.5-coder:7b', 'gpt-5-codex', 'gpt-5.1-codex', 'gpt-5'] });
    await writeFile(
      join(f.home, 'config.toml'),
      [
        'model_provider = "mock"',
        'cli_auth_credentials_store = "file"',
        '[model_providers.mock]',
        'name = "Local server"',
        `base_url = "${f.model.url}"`,
        'env_key = "MOCK_API_KEY"',
        'requires_openai_auth = true',
        '',
      ].join('\n'),
    );
    const c = scene.connect(f);
    await c.init();
    await c.call('account/login/start', { type: 'apiKey', apiKey: KEY });

    const all = await c.call('model/list', {});
    expect(ids(all)).toEqual(['gpt-5.1-codex', 'gpt-5-codex', 'qwen2.5-coder:7b']);
    expect(all.nextCursor).toBeNull();
    expect(all.data[0]).toMatchObject({
      isDefault: true,
      supportedReasoningEfforts: [{ reasoningEffort: 'low' }, { reasoningEffort: 'medium' }, { reasoningEffort: 'high' }],
    });
    expect(all.data[1]).toMatchObject({ upgrade: 'gpt-5.1-codex', isDefault: false });
    expect(all.data[2]).toEqual({
      id: 'qwen2.5-coder:7b',
      model: 'qwen2.5-coder:7b',
      displayName: 'qwen2.5-coder:7b',
      description: 'Served by Local server (owned by statecraft).',
      hidden: false,
      supportedReasoningEfforts: [],
      defaultReasoningEffort: 'medium',
      upgrade: null,
      isDefault: false,
    });
    expect(f.model.modelListHeaders[0]?.authorization).toBe(`Bearer ${KEY}`);

    const first = await c.call('model/list', { limit: 2, includeHidden: true });
    expect(ids(first)).toEqual(['gpt-5.1-codex', 'gpt-5-codex']);
    const second = await c.call('model/list', { limit: 2, includeHidden: true, cursor: first.nextCursor });
    expect(ids(second)).toEqual(['gpt-5', 'qwen2.5-coder:7b']);
    expect(second.nextCursor).toBeNull();
    expect((await c.request('model/list', { cursor: '9' })).error).toMatchObject({ code: -32602, message: expect.stringContaining('cursor') });

    // Another configured provider can be listed by name: the OpenAI provider's list is the catalog, asked of no server.
    const openai = await c.call('model/list', { modelProvider: 'openai' });
    expect(ids(openai)).toEqual(['gpt-5.1-codex', 'gpt-5.1-codex-max', 'gpt-5.1-codex-mini', 'gpt-5.1', 'gpt-5-codex']);
    expect((await c.request('model/list', { modelProvider: 'nowhere' })).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('unknown provider "nowhere"'),
    });

    // Six lists, one question to the provider; no warning.
    expect(f.model.modelListHeaders).toHaveLength(1);
    expect(c.messages.filter((m) => m.method === 'warning')).toEqual([]);
    expect(await c.close()).toBe(0);
  });

  it('falls back to the built-in models with a warning when the provider cannot be reached', async () => {
    const f = await scene.open({ turns: [] });
    const gone = await startScriptedServer({ script: { turns: [] } });
    await gone.close();
    await writeFile(
      join(f.home, 'config.toml'),
      ['model_provider = "mock"', '[model_providers.mock]', 'name = "mock"', `base_url = "${gone.url}"`, ''].join('\n'),
    );
    const c = scene.connect(f);
    await c.init();
    const listed = await c.call('model/list', {});
    expect(ids(listed)).toEqual(['gpt-5.1-codex', 'gpt-5.1-codex-max', 'gpt-5.1-codex-mini', 'gpt-5.1', 'gpt-5-codex']);
    const warning = await c.waitFor('warning');
    expect(warning.params.threadId).toBeNull();
    expect(warning.params.message).toMatch(
      new RegExp(
        `^could not list the models of provider "mock" \\(mock\\): could not reach ${gone.url}/models: .*ECONNREFUSED.*\\. Showing the built-in models instead\\.$`,
      ),
    );
    expect(c.stderr()).toContain('warning: could not list the models of provider "mock"');
    expect(await c.close()).toBe(0);
  });

  it('tells a thread started or resumed on a model with a newer version once, and not one without', async () => {
    const f = await scene.open({ turns: [[{ text: 'one' }], [{ text: 'two' }], [{ text: 'three' }], [{ text: 'four' }]] });
    const c = scene.connect(f);
    await c.init();
    const started = await c.call('thread/start', { cwd: f.ws, model: 'gpt-5-codex' });
    const threadId = started.thread.id;
    const notice = await c.waitFor('warning');
    expect(notice.params).toEqual({
      threadId,
      message:
        'Model gpt-5-codex has a newer version: gpt-5.1-codex. To switch, choose gpt-5.1-codex as the model ' +
        '(`-m gpt-5.1-codex`, `model = "gpt-5.1-codex"` in config.toml, or `model` in thread/start).',
    });
    // It follows thread/started.
    expect(c.messages.findIndex((m) => m.method === 'thread/started')).toBeLessThan(c.messages.indexOf(notice));
    for (const word of ['one', 'two']) {
      const { turn } = await c.call('turn/start', { threadId, input: text(word) });
      await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    }
    const current = await c.call('thread/start', { cwd: f.ws });
    await c.call('turn/start', { threadId: current.thread.id, input: text('three') });
    await c.waitFor('turn/completed', (m) => m.params.threadId === current.thread.id);
    expect(c.messages.filter((m) => m.method === 'warning')).toHaveLength(1);
    expect(await c.close()).toBe(0);

    // Resumed in another server, the thread is told again, once.
    const again = scene.connect(f);
    await again.init();
    await again.call('thread/resume', { threadId });
    expect((await again.waitFor('warning')).params).toEqual(notice.params);
    const { turn } = await again.call('turn/start', { threadId, input: text('four') });
    await again.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    expect(again.messages.filter((m) => m.method === 'warning')).toHaveLength(1);
    expect(await again.close()).toBe(0);
  });

  it('refuses a reasoning effort the model does not support, on thread/start and on turn/start, saying which it supports', async () => {
    const f = await scene.open({ turns: [[{ text: 'ok' }]] });
    const c = scene.connect(f);
    await c.init();
    const refused = await c.request('thread/start', { cwd: f.ws, model: 'gpt-5.1-codex-mini', config: { model_reasoning_effort: 'low' } });
    expect(refused.error).toEqual({
      code: -32602,
      message:
        'thread config: model_reasoning_effort: model gpt-5.1-codex-mini does not support reasoning effort "low"; it supports medium, high (default medium); ' +
        "the model comes from thread overrides (model). Set model_reasoning_effort to one of the supported efforts, or leave it unset to use the model's default.",
    });

    const { thread } = await c.call('thread/start', { cwd: f.ws });
    const turn = await c.request('turn/start', { threadId: thread.id, input: text('think hard'), effort: 'xhigh' });
    expect(turn.error.code).toBe(-32602);
    expect(turn.error.message).toMatch(
      /^turn overrides: effort: model gpt-5\.1-codex does not support reasoning effort "xhigh"; it supports low, medium, high/,
    );
    // A supported one runs, and reaches the model.
    const ok = await c.call('turn/start', { threadId: thread.id, input: text('think'), effort: 'high' });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === ok.turn.id);
    expect(f.model.requests).toHaveLength(1);
    expect(f.model.requests[0]).toMatchObject({ model: 'gpt-5.1-codex', reasoning: { effort: 'high' } });
    expect(await c.close()).toBe(0);
  });
});
