import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseOverride } from '../../../actors/config/index.js';
import { failure, makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

describe('-c overrides', () => {
  it('reads values as TOML', () => {
    expect(parseOverride('model_context_window=5000')).toEqual({ model_context_window: 5000 });
    expect(parseOverride('tools.view_image=false')).toEqual({ tools: { view_image: false } });
    expect(parseOverride('sandbox_workspace_write.writable_roots=["/a", "/b"]')).toEqual({
      sandbox_workspace_write: { writable_roots: ['/a', '/b'] },
    });
    expect(parseOverride('model="gpt-5.1"')).toEqual({ model: 'gpt-5.1' });
    expect(parseOverride('model_providers.x={ base_url = "http://h" }')).toEqual({ model_providers: { x: { base_url: 'http://h' } } });
  });

  it('takes anything that is not TOML as a raw string', () => {
    expect(parseOverride('model=gpt-5.1-codex')).toEqual({ model: 'gpt-5.1-codex' });
    expect(parseOverride('developer_instructions=be brief = please')).toEqual({ developer_instructions: 'be brief = please' });
  });

  it('accepts quoted keys, dots included', () => {
    expect(parseOverride('projects."/a/b.c".trust_level="trusted"')).toEqual({ projects: { '/a/b.c': { trust_level: 'trusted' } } });
    expect(parseOverride("features.'x=y'=true")).toEqual({ features: { 'x=y': true } });
  });

  it('rejects a flag without = or with a bad key', () => {
    expect(() => parseOverride('model')).toThrow(/^-c model: expected key=value/);
    expect(() => parseOverride('a..b=1')).toThrow(/^-c a\.\.b=1: invalid key "a\.\.b": empty key/);
    expect(() => parseOverride('"open.b=1')).toThrow(/expected key=value/);
    expect(() => parseOverride('a b=1')).toThrow(/"a b" must be quoted/);
  });

  it('names the flag when its value has the wrong type', async () => {
    const error = await failure(box.load({ overrides: ['approval_policy=sometimes'] }));
    expect(error.message).toBe('-c approval_policy=sometimes: approval_policy: expected one of untrusted|on-failure|on-request|never, found "sometimes"');
  });
});

describe('key validation', () => {
  it('warns about unknown keys with their file and path, and drops them', async () => {
    const file = await box.write(
      join(box.home, 'config.toml'),
      'modle = "typo"\n[tools]\nview_image = false\nweb_fetch = true\n[model_providers.x]\nbase_url = "http://h"\nretries = 3\n',
    );
    const loaded = await box.load();
    expect(loaded.warnings).toEqual([
      `${file}: unknown key model_providers.x.retries (ignored)`,
      `${file}: unknown key modle (ignored)`,
      `${file}: unknown key tools.web_fetch (ignored)`,
    ]);
    expect(loaded.config.tools).toEqual({ view_image: false });
    expect(loaded.config).not.toHaveProperty('modle');
  });

  it('throws on a wrong enum value, naming file, key, expected and found', async () => {
    const file = await box.write(join(box.home, 'config.toml'), 'approval_policy = "sometimes"\n');
    const error = await failure(box.load());
    expect(error.code).toBe('type');
    expect(error.key).toBe('approval_policy');
    expect(error.message).toBe(`${file}: approval_policy: expected one of untrusted|on-failure|on-request|never, found "sometimes"`);
  });

  it('names nested keys, quoting those that need it', async () => {
    const file = await box.write(join(box.systemDir, 'config.toml'), '[projects."/a b"]\ntrust_level = 1\n');
    expect((await failure(box.load())).message).toBe(`${file}: projects."/a b".trust_level: expected one of trusted|untrusted, found 1`);
  });

  it('describes wrong types and ranges', async () => {
    const file = join(box.home, 'config.toml');
    await box.write(file, 'model_context_window = "big"\n');
    expect((await failure(box.load())).message).toBe(`${file}: model_context_window: expected a number, found "big"`);
    await box.write(file, 'model_context_window = 1.5\n');
    expect((await failure(box.load())).message).toBe(`${file}: model_context_window: expected an integer, found 1.5`);
    await box.write(file, '[model_providers.x]\nrequest_max_retries = -1\n');
    expect((await failure(box.load())).message).toBe(`${file}: model_providers.x.request_max_retries: expected a number >= 0, found -1`);
    await box.write(file, 'tools = ["view_image"]\n');
    expect((await failure(box.load())).message).toBe(`${file}: tools: expected a table, found an array (["view_image"])`);
    await box.write(file, '[features]\nx = "yes"\n');
    expect((await failure(box.load())).message).toBe(`${file}: features.x: expected a boolean, found "yes"`);
  });

  it('checks profiles with the same rules', async () => {
    const file = await box.write(join(box.home, 'config.toml'), '[profiles.fast]\nsandbox_mode = "open"\n');
    expect((await failure(box.load())).message).toMatch(new RegExp(`^${file}: profiles.fast.sandbox_mode: expected one of read-only`));
  });

  it('names the thread config layer for client-supplied values', async () => {
    const error = await failure(box.load({ extraLayers: { 'sandbox_workspace_write.network_access': 'yes' } }));
    expect(error.message).toBe('thread config: sandbox_workspace_write.network_access: expected a boolean, found "yes"');
    const badKey = await failure(box.load({ extraLayers: { '"open': 1 } }));
    expect(badKey.message).toBe('thread config: invalid key ""open": unterminated quoted key');
  });
});
