import { describe, expect, it } from 'vitest';
import { modelCatalog } from '../../../actors/config/index.js';
import type { ServedModel } from '../../../actors/model/index.js';
import { ModelLists } from '../../../actors/runtime/model.list.js';
import type { ProviderSettings } from '../../../protocol/index.js';
import { provider } from '../model/helpers.js';

const ollama: ProviderSettings = provider('http://127.0.0.1:11434/v1', { id: 'ollama', name: 'Ollama' });
const served = (...ids: string[]): ServedModel[] => ids.map((id) => ({ id, ownedBy: 'library' }));

/** A lister over a fake provider: counts how often it is asked, on a clock the test moves. */
function lister(answer: () => Promise<ServedModel[]>) {
  const clock = { now: 0 };
  const asked: ProviderSettings[] = [];
  const lists = new ModelLists(
    (settings) => {
      asked.push(settings);
      return answer();
    },
    () => clock.now,
  );
  return { lists, asked, clock };
}

const catalogIds = () => modelCatalog().map((model) => model.id);

describe('model lists: the built-in catalog merged with what the provider serves', () => {
  it('gives the OpenAI provider the catalog without asking it', async () => {
    const { lists, asked } = lister(() => Promise.resolve(served('dall-e-3')));
    const listing = await lists.list(provider('https://api.openai.com/v1', { id: 'openai' }), 'gpt-5.1-codex');
    expect(listing.warning).toBeNull();
    expect(listing.models.map((model) => model.id)).toEqual(catalogIds());
    expect(listing.models.find((model) => model.isDefault)?.id).toBe('gpt-5.1-codex');
    expect(asked).toEqual([]);
  });

  it("lists another provider's models: catalog entries it serves first, then the rest with defaults", async () => {
    const { lists } = lister(() => Promise.resolve(served('qwen2.5-coder:7b', 'gpt-5-codex', 'gpt-5.1-codex', 'gpt-5')));
    const { models, warning } = await lists.list(ollama, 'qwen2.5-coder:7b');
    expect(warning).toBeNull();
    expect(models.map((model) => model.id)).toEqual(['gpt-5.1-codex', 'gpt-5-codex', 'gpt-5', 'qwen2.5-coder:7b']);
    // The catalog's knowledge stays; an upgrade counts only when the provider serves it.
    expect(models[1]).toMatchObject({ id: 'gpt-5-codex', upgrade: 'gpt-5.1-codex', supportedReasoningEfforts: expect.arrayContaining([expect.anything()]) });
    expect(models[2]).toMatchObject({ id: 'gpt-5', hidden: true, upgrade: null });
    expect(models[3]).toEqual({
      id: 'qwen2.5-coder:7b',
      model: 'qwen2.5-coder:7b',
      displayName: 'qwen2.5-coder:7b',
      description: 'Served by Ollama (owned by library).',
      hidden: false,
      supportedReasoningEfforts: [],
      defaultReasoningEffort: 'medium',
      upgrade: null,
      isDefault: true,
    });
    // The default is the model threads use; the catalog's own default is not it here.
    expect(models.filter((model) => model.isDefault).map((model) => model.id)).toEqual(['qwen2.5-coder:7b']);
    expect(models.every((model) => !('contextWindow' in model))).toBe(true);
  });

  it('asks once within five minutes, shares a question in flight, and asks again after', async () => {
    const { lists, asked, clock } = lister(() => Promise.resolve(served('a')));
    await Promise.all([lists.list(ollama, 'a'), lists.list(ollama, 'a')]);
    expect(asked).toHaveLength(1);
    clock.now += 5 * 60_000 - 1;
    await lists.list(ollama, 'a');
    expect(asked).toHaveLength(1);
    clock.now += 1;
    await lists.list(ollama, 'a');
    expect(asked).toHaveLength(2);
    // Another provider has a list of its own.
    await lists.list({ ...ollama, id: 'lmstudio', baseUrl: 'http://127.0.0.1:1234/v1' }, 'a');
    expect(asked).toHaveLength(3);
  });

  it('falls back to the catalog with a warning naming the provider and the cause, and asks again sooner', async () => {
    let fail = true;
    const { lists, asked, clock } = lister(() =>
      fail ? Promise.reject(new Error('could not reach http://127.0.0.1:11434/v1/models: ECONNREFUSED')) : Promise.resolve(served('b')),
    );
    const first = await lists.list(ollama, 'b');
    expect(first.models.map((model) => model.id)).toEqual(catalogIds());
    expect(first.warning).toBe(
      'could not list the models of provider "Ollama" (ollama): could not reach http://127.0.0.1:11434/v1/models: ECONNREFUSED. Showing the built-in models instead.',
    );
    // Every list from the remembered failure says so too.
    expect((await lists.list(ollama, 'b')).warning).toBe(first.warning);
    expect(asked).toHaveLength(1);
    fail = false;
    clock.now += 30_000;
    expect(await lists.list(ollama, 'b')).toMatchObject({ warning: null, models: [{ id: 'b', isDefault: true }] });
    expect(asked).toHaveLength(2);
  });

  it('falls back when the provider lists no models', async () => {
    const { lists } = lister(() => Promise.resolve([]));
    const listing = await lists.list(ollama, 'x');
    expect(listing.models.map((model) => model.id)).toEqual(catalogIds());
    expect(listing.warning).toContain('it lists no models');
  });
});
