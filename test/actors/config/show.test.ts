import { join } from 'node:path';
import { parse } from 'smol-toml';
import { beforeEach, describe, expect, it } from 'vitest';
import { configShowJson, formatConfigShow, findModel, modelCatalog, defaultModel } from '../../../actors/config/index.js';
import { makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

describe('config show', () => {
  it('prints each value with the layer it came from', async () => {
    await box.write(join(box.home, 'config.toml'), 'model = "gpt-5.1"\n[profiles.fast]\nmodel_reasoning_effort = "low"\n');
    const loaded = await box.load({ profile: 'fast', overrides: ['approval_policy=never', 'projects."/a b".trust_level="untrusted"'] });
    const text = formatConfigShow(loaded);
    const lines = text.split('\n');
    expect(lines).toContain('approval_policy = "never"  # -c');
    expect(lines).toContain(`model = "gpt-5.1"  # ${join(box.home, 'config.toml')}`);
    expect(lines).toContain('model_reasoning_effort = "low"  # profile:fast');
    expect(lines).toContain('sandbox_mode = "workspace-write"  # default');
    expect(lines).toContain('[model_providers.openai]');
    expect(lines).toContain('[projects."/a b"]');
    expect(lines).toContain('# profile: fast');
    // What it prints is TOML that reads back as the effective config.
    expect(parse(text)).toMatchObject({ approval_policy: 'never', model_providers: { ollama: { wire_api: 'chat' } } });
  });

  it('has a JSON form with the same origins', async () => {
    const loaded = await box.load({ overrides: ['model=x'] });
    const json = JSON.parse(JSON.stringify(configShowJson(loaded))) as ReturnType<typeof configShowJson>;
    expect(json.config.model).toBe('x');
    expect(json.origins['model']).toBe('-c');
    expect(json.origins['model_providers.openai.base_url']).toBe('default');
    expect(json).toMatchObject({ projectRoot: box.project, projectTrusted: false, profile: null, home: box.home });
  });
});

describe('model catalog', () => {
  it('has exactly one default, and every upgrade points into the catalog', () => {
    const models = modelCatalog();
    expect(models.filter((model) => model.isDefault).map((model) => model.id)).toEqual([defaultModel().id]);
    for (const model of models) {
      if (model.upgrade !== null) expect(findModel(model.upgrade)).toBeDefined();
      expect(model.supportedReasoningEfforts.map((entry) => entry.reasoningEffort)).toContain(model.defaultReasoningEffort);
    }
    expect(findModel('gpt-5-codex')?.upgrade).toBe('gpt-5.1-codex');
    expect(models.some((model) => model.hidden)).toBe(true);
  });
});
