import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveThreadSettings } from '../../../actors/config/index.js';
import { ThreadSettings } from '../../../protocol/index.js';
import { failure, makeSandbox, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

const settingsWith = async (toml: string) => {
  await box.write(join(box.home, 'config.toml'), toml);
  return resolveThreadSettings(await box.load(), {}, box.env);
};

describe('[mcp_servers.*] (Codex keys)', () => {
  it('resolves a stdio and a streamable HTTP server with the defaults, leaving disabled ones out', async () => {
    const settings = await settingsWith(
      [
        '[mcp_servers.docs]',
        'command = "npx"',
        'args = ["-y", "docs-server"]',
        'env = { TOKEN = "t" }',
        'cwd = "tools"',
        'enabled_tools = ["search"]',
        '',
        '[mcp_servers.web]',
        'url = "http://127.0.0.1:9000/mcp"',
        'bearer_token_env_var = "WEB_TOKEN"',
        'http_headers = { "X-Team" = "a" }',
        'env_http_headers = { "X-Key" = "WEB_KEY" }',
        'required = true',
        'startup_timeout_sec = 2.5',
        'tool_timeout_sec = 5',
        'disabled_tools = ["delete"]',
        '',
        '[mcp_servers.off]',
        'command = "never-started"',
        'enabled = false',
      ].join('\n'),
    );
    expect(ThreadSettings.parse(settings)).toEqual(settings);
    expect(settings.mcpServers).toEqual([
      {
        name: 'docs',
        transport: { type: 'stdio', command: 'npx', args: ['-y', 'docs-server'], env: { TOKEN: 't' }, cwd: join(box.project, 'tools') },
        required: false,
        startupTimeoutMs: 10_000,
        toolTimeoutMs: 60_000,
        enabledTools: ['search'],
        disabledTools: [],
      },
      {
        name: 'web',
        transport: {
          type: 'streamableHttp',
          url: 'http://127.0.0.1:9000/mcp',
          bearerTokenEnvVar: 'WEB_TOKEN',
          httpHeaders: { 'X-Team': 'a' },
          envHttpHeaders: { 'X-Key': 'WEB_KEY' },
        },
        required: true,
        startupTimeoutMs: 2_500,
        toolTimeoutMs: 5_000,
        enabledTools: null,
        disabledTools: ['delete'],
      },
    ]);
  });

  it('names the file and key of a server with neither command nor url, or both', async () => {
    const file = join(box.home, 'config.toml');
    const neither = await failure(settingsWith('[mcp_servers.x]\nargs = ["a"]\n'));
    expect(neither.message).toBe(`${file}: mcp_servers.x: needs command (a stdio server, e.g. command = "npx") or url (a streamable HTTP server)`);
    const both = await failure(settingsWith('[mcp_servers.x]\ncommand = "a"\nurl = "http://127.0.0.1/"\n'));
    expect(both.message).toBe(`${file}: mcp_servers.x.url: set either command (a stdio server) or url (a streamable HTTP server), not both`);
  });

  it('names the key that belongs to the other transport, a bad URL, a bad name and a wrong type', async () => {
    const file = join(box.home, 'config.toml');
    expect((await failure(settingsWith('[mcp_servers.x]\ncommand = "a"\nbearer_token_env_var = "T"\n'))).message).toBe(
      `${file}: mcp_servers.x.bearer_token_env_var: only a streamable HTTP server (url = ...) takes this key`,
    );
    expect((await failure(settingsWith('[mcp_servers.x]\nurl = "http://h/"\nargs = ["a"]\n'))).message).toBe(
      `${file}: mcp_servers.x.args: only a stdio server (command = ...) takes this key`,
    );
    expect((await failure(settingsWith('[mcp_servers.x]\nurl = "not a url"\n'))).message).toBe(`${file}: mcp_servers.x.url: not a URL: "not a url"`);
    expect((await failure(settingsWith('[mcp_servers."a.b"]\ncommand = "a"\n'))).message).toMatch(/mcp_servers\."a\.b": server names may use only/);
    expect((await failure(settingsWith('[mcp_servers.x]\ncommand = "a"\nstartup_timeout_sec = "ten"\n'))).message).toBe(
      `${file}: mcp_servers.x.startup_timeout_sec: expected a number, found "ten"`,
    );
  });
});
