/** The config keys the Codex SDK sets, and the older spellings Codex users still have. */
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveThreadSettings } from '../../../actors/config/index.js';
import { makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

const settingsWith = async (...overrides: string[]) => resolveThreadSettings(await box.load({ overrides }), {}, box.env);

describe('the config keys of the Codex SDK', () => {
  it('web_search: off unless asked for; a mode, true/false, or the older tools and features switches', async () => {
    expect((await settingsWith()).webSearch).toBe('disabled');
    const cases: Array<[string[], string]> = [
      [['web_search="live"'], 'live'],
      [['web_search="cached"'], 'cached'],
      [['web_search="indexed"'], 'cached'],
      [['web_search=true'], 'live'],
      [['web_search=false', 'tools.web_search=true'], 'disabled'],
      [['tools.web_search=true'], 'live'],
      [['features.web_search_request=true'], 'live'],
      [['features.web_search_cached=true'], 'cached'],
      [['tools.web_search=false', 'features.web_search_request=true'], 'disabled'],
    ];
    for (const [overrides, mode] of cases) expect((await settingsWith(...overrides)).webSearch, overrides.join(' ')).toBe(mode);
  });

  it('web_search names the modes when given another', async () => {
    await expect(settingsWith('web_search="sometimes"')).rejects.toThrow(
      '-c web_search="sometimes": web_search: expected one of disabled|cached|indexed|live or a boolean, found "sometimes"',
    );
  });

  it('openai_base_url moves the built-in OpenAI provider only', async () => {
    const settings = await settingsWith('openai_base_url="http://127.0.0.1:9/v1"');
    expect(settings.provider).toMatchObject({ id: 'openai', baseUrl: 'http://127.0.0.1:9/v1', envKey: 'OPENAI_API_KEY' });
    const ollama = await resolveThreadSettings(
      await box.load({ overrides: ['openai_base_url="http://127.0.0.1:9/v1"'] }),
      { modelProvider: 'ollama' },
      box.env,
    );
    expect(ollama.provider.baseUrl).toBe('http://localhost:11434/v1');
  });

  it('model_verbosity, model_reasoning_summary and every reasoning effort the SDK offers', async () => {
    expect(await settingsWith('model_verbosity="low"', 'model_reasoning_summary="detailed"')).toMatchObject({ verbosity: 'low', reasoningSummary: 'detailed' });
    expect((await settingsWith()).verbosity).toBeNull();
    // A model the catalog does not know takes any of them (the built-in ones only what they support).
    for (const effort of ['minimal', 'low', 'medium', 'high', 'xhigh', 'max', 'ultra', 'persistent']) {
      expect((await settingsWith('model="local-model"', `model_reasoning_effort="${effort}"`)).reasoningEffort).toBe(effort);
    }
  });
});
