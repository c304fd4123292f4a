/** Reasoning efforts are checked against what the chosen (catalog) model supports, wherever they are set. */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveThreadSettings, resolveTurnOverrides } from '../../../actors/config/index.js';
import { failure, makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

describe('reasoning effort validation', () => {
  it('refuses an effort from config.toml the model does not support, naming the file, the key, the model and the choices', async () => {
    const file = await box.write(join(box.home, 'config.toml'), 'model = "gpt-5.1-codex-mini"\nmodel_reasoning_effort = "low"\n');
    const error = await failure(box.load().then((loaded) => resolveThreadSettings(loaded, {}, box.env)));
    expect(error.code).toBe('effort');
    expect(error.message).toBe(
      `${file}: model_reasoning_effort: model gpt-5.1-codex-mini does not support reasoning effort "low"; it supports medium, high (default medium); ` +
        `the model comes from ${file}. Set model_reasoning_effort to one of the supported efforts, or leave it unset to use the model's default.`,
    );
  });

  it('names -c, a profile, or the thread overrides as the source of the effort or the model', async () => {
    const flag = await failure(box.load({ overrides: ['model_reasoning_effort="xhigh"'] }).then((loaded) => resolveThreadSettings(loaded, {}, box.env)));
    expect(flag.message).toMatch(
      /^-c: model_reasoning_effort: model gpt-5\.1-codex does not support reasoning effort "xhigh"; it supports low, medium, high .*the model is the built-in default\./,
    );

    await box.write(join(box.home, 'config.toml'), '[profiles.quick]\nmodel_reasoning_effort = "minimal"\n');
    const profile = await failure(box.load({ profile: 'quick' }).then((loaded) => resolveThreadSettings(loaded, {}, box.env)));
    expect(profile.message).toMatch(/^profile:quick: model_reasoning_effort: /);

    const overridden = await failure(
      box.load({ overrides: ['model_reasoning_effort="low"'] }).then((loaded) => resolveThreadSettings(loaded, { model: 'gpt-5.1-codex-mini' }, box.env)),
    );
    expect(overridden.message).toContain('the model comes from thread overrides (model)');
    const threadConfig = await failure(box.load().then((loaded) => resolveThreadSettings(loaded, { config: { model_reasoning_effort: 'none' } }, box.env)));
    expect(threadConfig.message).toMatch(/^thread config: model_reasoning_effort: model gpt-5\.1-codex does not support reasoning effort "none"/);
  });

  it('takes a supported effort, and any effort for a model the catalog does not know', async () => {
    const supported = await box.load({ overrides: ['model_reasoning_effort="xhigh"'] });
    expect((await resolveThreadSettings(supported, { model: 'gpt-5.1-codex-max' }, box.env)).reasoningEffort).toBe('xhigh');
    expect((await resolveThreadSettings(supported, { model: 'qwen2.5-coder:7b' }, box.env)).reasoningEffort).toBe('xhigh');
  });

  it("checks a turn's effort against the turn's model, and gives a model switch that model's default when the thread's effort does not suit it", async () => {
    const settings = await resolveThreadSettings(await box.load({ overrides: ['model_reasoning_effort="low"'] }), {}, box.env);
    expect(() => resolveTurnOverrides(settings, { effort: 'xhigh' })).toThrow(
      /^turn overrides: effort: model gpt-5\.1-codex does not support reasoning effort "xhigh"; it supports low, medium, high \(default medium\); the model is the thread's\. Set effort to one of the supported efforts/,
    );
    expect(() => resolveTurnOverrides(settings, { model: 'gpt-5.1-codex-mini', effort: 'low' })).toThrow(/the model comes from turn overrides \(model\)/);
    expect(resolveTurnOverrides(settings, { model: 'gpt-5.1-codex-max', effort: 'xhigh' })).toEqual({ model: 'gpt-5.1-codex-max', effort: 'xhigh' });
    // "low" does not suit the mini model: the switch takes its default; it suits gpt-5.1, and stays.
    expect(resolveTurnOverrides(settings, { model: 'gpt-5.1-codex-mini' })).toEqual({ model: 'gpt-5.1-codex-mini', effort: 'medium' });
    expect(resolveTurnOverrides(settings, { model: 'gpt-5.1' })).toEqual({ model: 'gpt-5.1' });
    expect(resolveTurnOverrides(settings, { model: 'my-local-model', effort: 'ultra' })).toEqual({ model: 'my-local-model', effort: 'ultra' });
    expect(resolveTurnOverrides(settings, { model: 'gpt-5.1-codex-mini', effort: null })).toEqual({ model: 'gpt-5.1-codex-mini', effort: null });
  });
});
