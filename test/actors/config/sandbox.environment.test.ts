import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveThreadSettings } from '../../../actors/config/index.js';
import { commandEnvironment } from '../../../actors/exec/index.js';
import type { ShellEnvironmentPolicy } from '../../../protocol/index.js';
import { sandboxFor } from '../../../actors/runtime/index.js';
import { settingsFixture } from '../../machines/fixtures.js';
import { failure, makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

describe('[sandbox_workspace_write] temp directories', () => {
  it('keeps /tmp and $TMPDIR writable by default and drops each when excluded', async () => {
    const defaults = await resolveThreadSettings(await box.load(), {}, box.env);
    expect(defaults).toMatchObject({ excludeSlashTmp: false, excludeTmpdirEnvVar: false });
    expect(sandboxFor(defaults)?.writableRoots).toContain('/tmp');

    await box.write(join(box.home, 'config.toml'), '[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n');
    const excluded = await resolveThreadSettings(await box.load(), {}, box.env);
    expect(excluded).toMatchObject({ excludeSlashTmp: true, excludeTmpdirEnvVar: true });
    expect(sandboxFor(excluded)?.writableRoots).toEqual([excluded.cwd]);
  });

  it('uses $TMPDIR only when it is set', () => {
    const settings = settingsFixture({ cwd: '/ws', sandboxMode: 'workspace-write', excludeSlashTmp: true, excludeTmpdirEnvVar: false });
    expect(sandboxFor(settings, { TMPDIR: '/var/tmp/mine/' })?.writableRoots).toEqual(['/ws', '/var/tmp/mine']);
    expect(sandboxFor(settings, {})?.writableRoots).toEqual(['/ws']);
    expect(sandboxFor({ ...settings, excludeSlashTmp: false }, {})?.writableRoots).toEqual(['/ws', '/tmp']);
  });
});

describe('unknown keys in the sandbox and environment tables', () => {
  it('is an error naming the file and the key, not a warning', async () => {
    const file = await box.write(join(box.home, 'config.toml'), '[sandbox_workspace_write]\nexclude_tmp = true\n');
    const error = await failure(box.load());
    expect(error.code).toBe('key');
    expect(error.message).toBe(
      `${file}: sandbox_workspace_write.exclude_tmp: unknown key; known keys: writable_roots, network_access, exclude_slash_tmp, exclude_tmpdir_env_var`,
    );
  });

  it('covers [shell_environment_policy], profiles and -c flags too', async () => {
    const file = await box.write(join(box.home, 'config.toml'), '[shell_environment_policy]\ninherits = "core"\n');
    expect((await failure(box.load())).message).toBe(
      `${file}: shell_environment_policy.inherits: unknown key; known keys: inherit, ignore_default_excludes, exclude, set, include_only`,
    );
    await box.write(file, '[profiles.p.sandbox_workspace_write]\nnetwork = true\n');
    expect((await failure(box.load())).message).toMatch(new RegExp(`^${file}: profiles\\.p\\.sandbox_workspace_write\\.network: unknown key`));
    await box.write(file, '');
    expect((await failure(box.load({ overrides: ['shell_environment_policy.include=["A"]'] }))).message).toMatch(
      /^-c shell_environment_policy\.include=\["A"\]: shell_environment_policy\.include: unknown key/,
    );
  });

  it('still only warns about unknown keys elsewhere', async () => {
    await box.write(join(box.home, 'config.toml'), 'modle = "typo"\n');
    expect((await box.load()).warnings).toHaveLength(1);
  });

  it('checks the values of [shell_environment_policy]', async () => {
    const file = await box.write(join(box.home, 'config.toml'), '[shell_environment_policy]\ninherit = "some"\n');
    expect((await failure(box.load())).message).toBe(`${file}: shell_environment_policy.inherit: expected one of all|core|none, found "some"`);
    await box.write(file, '[shell_environment_policy.set]\nN = 1\n');
    expect((await failure(box.load())).message).toBe(`${file}: shell_environment_policy.set.N: expected a string, found 1`);
  });

  it('resolves the policy into the thread settings', async () => {
    await box.write(
      join(box.home, 'config.toml'),
      '[shell_environment_policy]\ninherit = "core"\nignore_default_excludes = true\nexclude = ["AWS_*"]\ninclude_only = ["PATH", "HOME"]\nset = { CI = "1" }\n',
    );
    const settings = await resolveThreadSettings(await box.load(), {}, box.env);
    expect(settings.shellEnvironmentPolicy).toEqual({
      inherit: 'core',
      ignoreDefaultExcludes: true,
      exclude: ['AWS_*'],
      set: { CI: '1' },
      includeOnly: ['PATH', 'HOME'],
    });
    const defaults = await resolveThreadSettings(await (await makeSandbox()).load(), {}, box.env);
    expect(defaults.shellEnvironmentPolicy).toEqual({ inherit: 'all', ignoreDefaultExcludes: false, exclude: [], set: {}, includeOnly: [] });
  });
});

describe('commandEnvironment', () => {
  const parent = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/u',
    USER: 'u',
    LANG: 'C.UTF-8',
    OPENAI_API_KEY: 'sk-1',
    my_secret_value: 's',
    GITHUB_TOKEN: 't',
    AWS_REGION: 'eu',
    AWS_PROFILE: 'dev',
    KEYBOARD: 'us',
    UNSET: undefined,
  };
  const policy: ShellEnvironmentPolicy = { inherit: 'all', ignoreDefaultExcludes: false, exclude: [], set: {}, includeOnly: [] };

  it('inherits everything but names with KEY, SECRET or TOKEN by default (any case)', () => {
    expect(commandEnvironment(parent, policy)).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/u',
      USER: 'u',
      LANG: 'C.UTF-8',
      AWS_REGION: 'eu',
      AWS_PROFILE: 'dev',
    });
    expect(commandEnvironment(parent, { ...policy, ignoreDefaultExcludes: true })).toMatchObject({
      OPENAI_API_KEY: 'sk-1',
      KEYBOARD: 'us',
      my_secret_value: 's',
    });
  });

  it('starts from the core variables or from nothing', () => {
    expect(commandEnvironment(parent, { ...policy, inherit: 'core' })).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/u', USER: 'u' });
    expect(commandEnvironment(parent, { ...policy, inherit: 'none', set: { A: '1' } })).toEqual({ A: '1' });
  });

  it('applies exclude, then set, then include_only, with globs matched case-insensitively', () => {
    const env = commandEnvironment(parent, {
      ...policy,
      exclude: ['aws_*', 'LAN?'],
      set: { AWS_REGION: 'us', NEW: 'x', API_KEY: 'set-wins' },
      includeOnly: ['AWS_*', 'PATH', '*KEY'],
    });
    // set comes after exclude (AWS_REGION is back) and after the default excludes (API_KEY is kept); include_only has the last word.
    expect(env).toEqual({ PATH: '/usr/bin:/bin', AWS_REGION: 'us', API_KEY: 'set-wins' });
    expect(commandEnvironment(parent, { ...policy, exclude: ['[AH]*'] })).toEqual({ PATH: '/usr/bin:/bin', USER: 'u', LANG: 'C.UTF-8' });
  });
});
