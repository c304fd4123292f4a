import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, statecraftHome } from '../../../actors/config/index.js';
import { makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

describe('layer precedence', () => {
  it('uses the built-in defaults without any file', async () => {
    const loaded = await box.load();
    expect(loaded.config.model).toBe('gpt-5.1-codex');
    expect(loaded.config.approval_policy).toBe('on-request');
    expect(loaded.config.sandbox_mode).toBe('workspace-write');
    expect(loaded.config.model_reasoning_summary).toBe('auto');
    expect(loaded.origins['model']).toBe('default');
    expect(loaded.warnings).toEqual([]);
    expect(loaded.projectRoot).toBe(box.project);
  });

  it('stacks system < user < project < profile < -c < thread config < managed', async () => {
    await box.write(join(box.systemDir, 'config.toml'), 'model = "system"\napproval_policy = "never"\nmodel_context_window = 1000\n');
    await box.trustProject(
      'model = "user"\nmodel_reasoning_effort = "low"\nprofile = "fast"\n[profiles.fast]\nshell = "/bin/profile"\ndeveloper_instructions = "profile"\n',
    );
    await box.write(join(box.project, '.statecraft', 'config.toml'), 'model = "project"\nshell = "/bin/project"\nmodel_reasoning_effort = "high"\n');
    await box.write(join(box.home, 'managed_config.toml'), 'sandbox_mode = "read-only"\ndeveloper_instructions = "home managed"\n');
    await box.write(join(box.systemDir, 'managed_config.toml'), 'developer_instructions = "system managed"\n');

    const loaded = await box.load({
      overrides: ['model=from-flag', 'sandbox_mode="danger-full-access"', 'developer_instructions="flag"'],
      extraLayers: { model_context_window: 2000 },
    });
    const { config, origins } = loaded;
    expect(config.approval_policy).toBe('never');
    expect(origins['approval_policy']).toBe(join(box.systemDir, 'config.toml'));
    expect(config.model_reasoning_effort).toBe('high');
    expect(origins['model_reasoning_effort']).toBe(join(box.project, '.statecraft', 'config.toml'));
    expect(config.shell).toBe('/bin/profile');
    expect(origins['shell']).toBe('profile:fast');
    expect(config.model).toBe('from-flag');
    expect(origins['model']).toBe('-c');
    expect(config.model_context_window).toBe(2000);
    expect(origins['model_context_window']).toBe('thread config');
    // Managed layers beat -c, and the system managed file beats the home one.
    expect(config.sandbox_mode).toBe('read-only');
    expect(origins['sandbox_mode']).toBe(join(box.home, 'managed_config.toml'));
    expect(config.developer_instructions).toBe('system managed');
    expect(origins['developer_instructions']).toBe(join(box.systemDir, 'managed_config.toml'));
  });

  it('puts a client config object above -c flags, later flags above earlier ones', async () => {
    const loaded = await box.load({ overrides: ['model=first', 'model=second', 'shell=/bin/sh'], extraLayers: { model: 'client' } });
    expect(loaded.config.model).toBe('client');
    expect(loaded.config.shell).toBe('/bin/sh');
    const flagsOnly = await box.load({ overrides: ['model=first', 'model=second'] });
    expect(flagsOnly.config.model).toBe('second');
  });

  it('merges tables key by key but replaces arrays', async () => {
    await box.write(
      join(box.systemDir, 'config.toml'),
      '[sandbox_workspace_write]\nwritable_roots = ["/a", "/b"]\nnetwork_access = true\n[model_providers.openai]\nhttp_headers = { X-Team = "core" }\n',
    );
    await box.write(
      join(box.home, 'config.toml'),
      '[sandbox_workspace_write]\nwritable_roots = ["/c"]\n[model_providers.openai]\nbase_url = "http://proxy/v1"\n',
    );
    const { config, origins } = await box.load();
    expect(config.sandbox_workspace_write).toEqual({ writable_roots: ['/c'], network_access: true });
    expect(config.model_providers['openai']).toMatchObject({
      base_url: 'http://proxy/v1',
      env_key: 'OPENAI_API_KEY',
      http_headers: { 'X-Team': 'core' },
    });
    expect(origins['sandbox_workspace_write.network_access']).toBe(join(box.systemDir, 'config.toml'));
    expect(origins['sandbox_workspace_write.writable_roots']).toBe(join(box.home, 'config.toml'));
    expect(origins['model_providers.openai.env_key']).toBe('default');
  });

  it('finds the home from STATECRAFT_HOME, else ~/.statecraft', () => {
    expect(statecraftHome({ STATECRAFT_HOME: '/x/y' })).toBe('/x/y');
    expect(statecraftHome({ HOME: '/home/u' })).toBe('/home/u/.statecraft');
  });

  it('reads the user config from STATECRAFT_HOME when no home is given', async () => {
    await box.write(join(box.home, 'config.toml'), 'model = "from-home"\n');
    expect((await box.load()).config.model).toBe('from-home');
  });
});

describe('profiles', () => {
  beforeEach(async () => {
    await box.write(
      join(box.home, 'config.toml'),
      'model = "base"\nprofile = "fast"\n[profiles.fast]\nmodel = "gpt-5.1-codex-mini"\n[profiles.deep]\nmodel = "gpt-5.1-codex-max"\nmodel_reasoning_effort = "xhigh"\n',
    );
  });

  it('applies the profile named in config', async () => {
    const loaded = await box.load();
    expect(loaded.profile).toBe('fast');
    expect(loaded.config.model).toBe('gpt-5.1-codex-mini');
  });

  it('lets the option pick another profile', async () => {
    const loaded = await box.load({ profile: 'deep' });
    expect(loaded.profile).toBe('deep');
    expect(loaded.config.model).toBe('gpt-5.1-codex-max');
    expect(loaded.origins['model_reasoning_effort']).toBe('profile:deep');
  });

  it('lets -c override what the profile sets', async () => {
    const loaded = await box.load({ profile: 'deep', overrides: ['model=other'] });
    expect(loaded.config.model).toBe('other');
    expect(loaded.config.model_reasoning_effort).toBe('xhigh');
  });

  it('rejects an undefined profile, listing the defined ones', async () => {
    await expect(box.load({ profile: 'nope' })).rejects.toThrow(/profile "nope" is not defined; defined profiles: deep, fast/);
  });
});

describe('project trust', () => {
  beforeEach(async () => {
    await box.write(join(box.project, '.statecraft', 'config.toml'), 'approval_policy = "never"\n');
  });

  it('ignores the project config of an untrusted project, with a warning', async () => {
    const loaded = await box.load();
    expect(loaded.projectTrusted).toBe(false);
    expect(loaded.config.approval_policy).toBe('on-request');
    expect(loaded.warnings.join('\n')).toMatch(/ignored because .* is not a trusted project/);
  });

  it('applies the project config once the project is trusted, from a subdirectory too', async () => {
    await box.trustProject();
    const sub = join(box.project, 'src', 'lib');
    await mkdir(sub, { recursive: true });
    const loaded = await box.load({ cwd: sub });
    expect(loaded.projectRoot).toBe(box.project);
    expect(loaded.projectTrusted).toBe(true);
    expect(loaded.config.approval_policy).toBe('never');
  });

  it('takes trust from the system config as well', async () => {
    await box.write(join(box.systemDir, 'config.toml'), `[projects.${JSON.stringify(box.project)}]\ntrust_level = "trusted"\n`);
    expect((await box.load()).projectTrusted).toBe(true);
  });

  it('does not let -c or the project itself grant trust', async () => {
    await box.write(join(box.project, '.statecraft', 'config.toml'), `[projects.${JSON.stringify(box.project)}]\ntrust_level = "trusted"\n`);
    const loaded = await box.load({ overrides: [`projects.${JSON.stringify(box.project)}.trust_level=trusted`] });
    expect(loaded.projectTrusted).toBe(false);
  });
});

describe('file errors', () => {
  it('names the file, line and column of malformed TOML', async () => {
    const file = await box.write(join(box.home, 'config.toml'), 'model = "a"\napproval_policy = \n');
    const error = await box.load().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('syntax');
    expect((error as Error).message).toMatch(new RegExp(`^${file}:2:\\d+: invalid TOML`));
  });

  it('reports an unreadable file', async () => {
    await mkdir(join(box.home, 'config.toml'));
    await expect(box.load()).rejects.toThrow(new RegExp(`${join(box.home, 'config.toml')}: cannot read the file`));
  });
});
