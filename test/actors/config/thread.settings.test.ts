import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ThreadSettings } from '../../../protocol/index.js';
import { ConfigError, resolveThreadSettings } from '../../../actors/config/index.js';
import { makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

describe('resolveThreadSettings', () => {
  it('produces valid ThreadSettings from the defaults', async () => {
    const settings = await resolveThreadSettings(await box.load(), {}, box.env);
    expect(ThreadSettings.parse(settings)).toEqual(settings);
    expect(settings).toMatchObject({
      model: 'gpt-5.1-codex',
      reasoningEffort: 'medium',
      reasoningSummary: 'auto',
      approvalPolicy: 'on-request',
      sandboxMode: 'workspace-write',
      writableRoots: [],
      networkAccess: false,
      cwd: box.project,
      shell: '/bin/zsh',
      tools: { viewImage: true },
      features: {},
      baseInstructions: null,
      developerInstructions: null,
      modelContextWindow: 272_000,
      autoCompactTokenLimit: 244_800,
      compactPrompt: null,
      projectTrusted: false,
      ephemeral: false,
      trace: false,
    });
    expect(settings.provider).toEqual({
      id: 'openai',
      name: 'OpenAI',
      baseUrl: 'https://api.openai.com/v1',
      wireApi: 'responses',
      envKey: 'OPENAI_API_KEY',
      httpHeaders: {},
      envHttpHeaders: {},
      queryParams: {},
      requestMaxRetries: 4,
      streamMaxRetries: 5,
      streamIdleTimeoutMs: 300_000,
      requiresOpenaiAuth: true,
      credentialsStore: 'auto',
    });
  });

  it('resolves built-in local providers', async () => {
    const settings = await resolveThreadSettings(await box.load(), { modelProvider: 'ollama' }, box.env);
    expect(settings.provider).toMatchObject({ id: 'ollama', baseUrl: 'http://localhost:11434/v1', wireApi: 'chat', envKey: null });
  });

  it('resolves a custom provider, and one overriding a built-in id', async () => {
    await box.write(
      join(box.home, 'config.toml'),
      [
        'model_provider = "corp"',
        '[model_providers.corp]',
        'name = "Corp gateway"',
        'base_url = "https://llm.corp/v1"',
        'wire_api = "chat"',
        'env_key = "CORP_KEY"',
        'http_headers = { X-Team = "core" }',
        'env_http_headers = { X-Org = "CORP_ORG" }',
        'query_params = { api-version = "2025-01-01" }',
        'request_max_retries = 1',
        'stream_max_retries = 0',
        'stream_idle_timeout_ms = 1000',
        '[model_providers.ollama]',
        'base_url = "http://gpu-box:11434/v1"',
      ].join('\n'),
    );
    const loaded = await box.load();
    expect((await resolveThreadSettings(loaded, {}, box.env)).provider).toEqual({
      id: 'corp',
      name: 'Corp gateway',
      baseUrl: 'https://llm.corp/v1',
      wireApi: 'chat',
      envKey: 'CORP_KEY',
      httpHeaders: { 'X-Team': 'core' },
      envHttpHeaders: { 'X-Org': 'CORP_ORG' },
      queryParams: { 'api-version': '2025-01-01' },
      requestMaxRetries: 1,
      streamMaxRetries: 0,
      streamIdleTimeoutMs: 1000,
      requiresOpenaiAuth: false,
      credentialsStore: 'auto',
    });
    const ollama = await resolveThreadSettings(loaded, { modelProvider: 'ollama' }, box.env);
    expect(ollama.provider).toMatchObject({ baseUrl: 'http://gpu-box:11434/v1', wireApi: 'chat', name: 'Ollama' });
  });

  it('rejects an unknown provider, listing the known ids and where it was chosen', async () => {
    const file = await box.write(join(box.home, 'config.toml'), 'model_provider = "nowhere"\n');
    const error = await resolveThreadSettings(await box.load(), {}, box.env).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${file}: model_provider: unknown provider "nowhere"; known providers: lmstudio, ollama, openai`));
  });

  it('requires a base_url for a custom provider', async () => {
    const file = await box.write(join(box.home, 'config.toml'), '[model_providers.half]\nname = "Half"\n');
    await expect(resolveThreadSettings(await box.load(), { modelProvider: 'half' }, box.env)).rejects.toThrow(
      `${file}: model_providers.half.base_url: required`,
    );
  });

  it('applies client overrides over config', async () => {
    await box.write(join(box.home, 'config.toml'), 'approval_policy = "never"\ndeveloper_instructions = "config"\n');
    const sub = join(box.project, 'pkg');
    await mkdir(sub);
    const settings = await resolveThreadSettings(
      await box.load(),
      {
        cwd: 'pkg',
        model: 'gpt-5.1-codex-mini',
        approvalPolicy: 'untrusted',
        sandbox: 'read-only',
        developerInstructions: 'client',
        baseInstructions: 'replace everything',
        ephemeral: true,
      },
      box.env,
    );
    expect(settings).toMatchObject({
      cwd: sub,
      model: 'gpt-5.1-codex-mini',
      approvalPolicy: 'untrusted',
      sandboxMode: 'read-only',
      developerInstructions: 'client',
      baseInstructions: 'replace everything',
      ephemeral: true,
    });
  });

  it('resolves writable roots from config and addDirs to absolute paths', async () => {
    await box.write(join(box.home, 'config.toml'), '[sandbox_workspace_write]\nwritable_roots = ["/var/cache/build", "out"]\nnetwork_access = true\n');
    const settings = await resolveThreadSettings(await box.load(), { addDirs: ['../shared', '~/notes', 'out'] }, box.env);
    expect(settings.writableRoots).toEqual(['/var/cache/build', join(box.project, 'out'), join(box.root, 'shared'), join(box.env['HOME'] ?? '', 'notes')]);
    expect(settings.networkAccess).toBe(true);
  });

  it('rejects a cwd that does not exist', async () => {
    const error = await resolveThreadSettings(await box.load(), { cwd: 'missing' }, box.env).catch((caught: unknown) => caught);
    expect((error as ConfigError).code).toBe('cwd');
    expect((error as Error).message).toContain(`${join(box.project, 'missing')}: the working directory does not exist`);
  });

  it('reads model_instructions_file relative to the config file that names it', async () => {
    await box.write(join(box.home, 'prompts', 'base.md'), 'You are terse.');
    await box.write(join(box.home, 'config.toml'), 'model_instructions_file = "prompts/base.md"\n');
    const settings = await resolveThreadSettings(await box.load(), {}, box.env);
    expect(settings.baseInstructions).toBe('You are terse.');
  });

  it('reads a -c instructions file relative to the cwd, and names the source when it is missing', async () => {
    await box.write(join(box.project, 'agent.md'), 'Project rules.');
    const found = await resolveThreadSettings(await box.load({ overrides: ['model_instructions_file=agent.md'] }), {}, box.env);
    expect(found.baseInstructions).toBe('Project rules.');
    const missing = box.load({ overrides: ['model_instructions_file=gone.md'] }).then((loaded) => resolveThreadSettings(loaded, {}, box.env));
    await expect(missing).rejects.toThrow(/^-c: model_instructions_file: cannot read .*gone\.md/);
  });

  it('takes the context window and effort from config, else the catalog, else null', async () => {
    const configured = await box.load({ overrides: ['model_context_window=64000', 'model_reasoning_effort=high'] });
    expect(await resolveThreadSettings(configured, {}, box.env)).toMatchObject({ modelContextWindow: 64_000, reasoningEffort: 'high' });
    const unknown = await resolveThreadSettings(await box.load(), { model: 'my-local-model' }, box.env);
    expect(unknown).toMatchObject({ modelContextWindow: null, reasoningEffort: null });
  });

  it('compacts at 90% of the context window unless model_auto_compact_token_limit says otherwise', async () => {
    const windowed = await box.load({ overrides: ['model_context_window=1000'] });
    expect(await resolveThreadSettings(windowed, {}, box.env)).toMatchObject({ autoCompactTokenLimit: 900, compactPrompt: null });
    const limited = await box.load({ overrides: ['model_context_window=1000', 'model_auto_compact_token_limit=300', 'compact_prompt="Sum it up."'] });
    expect(await resolveThreadSettings(limited, {}, box.env)).toMatchObject({ autoCompactTokenLimit: 300, compactPrompt: 'Sum it up.' });
    const unknown = await resolveThreadSettings(await box.load(), { model: 'my-local-model' }, box.env);
    expect(unknown).toMatchObject({ autoCompactTokenLimit: null });
  });

  it('applies the thread config and profile below the managed layers', async () => {
    await box.write(join(box.home, 'config.toml'), '[profiles.careful]\napproval_policy = "untrusted"\nmodel = "gpt-5.1"\n');
    await box.write(join(box.home, 'managed_config.toml'), 'sandbox_mode = "read-only"\n');
    const loaded = await box.load();
    const settings = await resolveThreadSettings(
      loaded,
      { profile: 'careful', config: { sandbox_mode: 'danger-full-access', 'tools.view_image': false, 'features.fancy': true } },
      box.env,
    );
    expect(settings).toMatchObject({
      approvalPolicy: 'untrusted',
      model: 'gpt-5.1',
      sandboxMode: 'read-only',
      tools: { viewImage: false },
      features: { fancy: true },
    });
  });

  it('uses the configured shell, then $SHELL, then /bin/bash', async () => {
    const loaded = await box.load();
    expect((await resolveThreadSettings(loaded, {}, {})).shell).toBe('/bin/bash');
    const configured = await box.load({ overrides: ['shell=/usr/bin/fish'] });
    expect((await resolveThreadSettings(configured, {}, box.env)).shell).toBe('/usr/bin/fish');
  });
});
