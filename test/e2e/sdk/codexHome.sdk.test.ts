/**
 * A Codex user's home as statecraft's (`STATECRAFT_HOME=~/.codex`): the config.toml they wrote
 * for Codex and the SDK loads; keys statecraft has no use for are warnings, never errors.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli.harness.js';
import { sdkScene } from './sdk.harness.js';

/** What a Codex user's ~/.codex/config.toml commonly holds, the SDK's usual settings among it. */
const codexConfig = (baseUrl: string, workspace: string) => `
model = "gpt-5.1-codex"
model_provider = "local"
approval_policy = "never"
sandbox_mode = "workspace-write"
model_reasoning_effort = "high"
model_reasoning_summary = "detailed"
model_verbosity = "medium"
web_search = "cached"
hide_agent_reasoning = false
show_raw_agent_reasoning = false
notify = ["notify-send", "Codex"]
file_opener = "vscode"

[sandbox_workspace_write]
network_access = false
writable_roots = []

[model_providers.local]
name = "local responses server"
base_url = "${baseUrl}"
wire_api = "responses"
env_key = "LOCAL_API_KEY"
request_max_retries = 1
stream_max_retries = 1
stream_idle_timeout_ms = 300000

[profiles.quick]
model = "gpt-5.1-codex-mini"
model_reasoning_effort = "low"

[projects."${workspace}"]
trust_level = "trusted"

[features]
web_search_request = true

[tools]
web_search = true

[shell_environment_policy]
inherit = "core"
exclude = ["AWS_*"]

# Read (and checked) but not started: a test reaches no network.
[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]
enabled = false

[history]
persistence = "save-all"

[tui]
notifications = true
`;

describe('a Codex home as the statecraft home', () => {
  it('STATECRAFT_HOME=~/.codex: the Codex config.toml loads, applies, and only warns about what statecraft lacks', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Configured by ~/.codex.' }]] }, onTestFinished);
    await rm(join(s.home, 'config.toml'));
    const codexHome = join(s.root, '.codex');
    await mkdir(codexHome);
    await writeFile(join(codexHome, 'config.toml'), codexConfig(s.model.url, s.ws));
    const env = { ...s.env, STATECRAFT_HOME: '~/.codex' };

    const shown = await execa('node', [CLI, 'config', 'show', '--json', '-C', s.ws], { env, extendEnv: false, reject: false });
    expect(shown.exitCode, String(shown.stderr)).toBe(0);
    const { home, config, warnings, projectTrusted } = JSON.parse(String(shown.stdout));
    expect(home).toBe(codexHome);
    expect(projectTrusted).toBe(true);
    expect(config).toMatchObject({ model_provider: 'local', model_reasoning_effort: 'high', model_verbosity: 'medium', web_search: 'cached' });
    const file = join(codexHome, 'config.toml');
    expect(warnings).toEqual(
      ['file_opener', 'hide_agent_reasoning', 'history', 'notify', 'show_raw_agent_reasoning', 'tui'].map((key) => `${file}: unknown key ${key} (ignored)`),
    );

    const turn = await s.codex({ env }).startThread({ workingDirectory: s.ws, skipGitRepoCheck: true }).run('hello');
    expect(turn.finalResponse).toBe('Configured by ~/.codex.');
    const request = s.requests()[0];
    expect(request).toMatchObject({ model: 'gpt-5.1-codex', reasoning: { effort: 'high', summary: 'detailed' }, text: { verbosity: 'medium' } });
    // `web_search` says cached; the older switches under it do not override it.
    expect((request.tools as Array<{ type: string }>).filter((tool) => tool.type === 'web_search')).toEqual([
      { type: 'web_search', external_web_access: false, search_content_types: ['text', 'image'] },
    ]);
  });
});
