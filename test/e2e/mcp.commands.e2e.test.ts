import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from './cli.harness.js';

let root: string;
let home: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'statecraft-mcp-cmd-'));
  home = join(root, 'home');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mcp = (...args: string[]) => execa('node', [CLI, 'mcp', ...args], { reject: false, cwd: root, env: { HOME: root, STATECRAFT_HOME: home } });

describe('statecraft mcp list/get/add/remove', () => {
  it('adds stdio and HTTP servers to config.toml without disturbing other keys and comments, lists, shows and removes them', async () => {
    const original = '# my settings\nmodel = "gpt-5.5" # the usual\n\n[projects."/src"]\ntrust_level = "trusted"\n';
    await mkdir(home);
    await writeFile(join(home, 'config.toml'), original);

    const added = await mcp('add', 'docs', '--env', 'TOKEN=abc', '--', 'npx', '-y', 'docs-server', '--port', '3');
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toBe(`Added MCP server docs to ${join(home, 'config.toml')}.`);
    expect((await mcp('add', 'web', '--url', 'http://127.0.0.1:9/mcp', '--bearer-token-env-var', 'WEB_TOKEN')).exitCode).toBe(0);
    const text = await readFile(join(home, 'config.toml'), 'utf8');
    expect(text.startsWith(original)).toBe(true);

    const listed = await mcp('list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        name: 'docs',
        enabled: true,
        required: false,
        transport: { type: 'stdio', command: 'npx', args: ['-y', 'docs-server', '--port', '3'], env: { TOKEN: 'abc' }, cwd: null },
        startup_timeout_sec: null,
        tool_timeout_sec: null,
        enabled_tools: null,
        disabled_tools: null,
      },
      {
        name: 'web',
        enabled: true,
        required: false,
        transport: { type: 'streamable_http', url: 'http://127.0.0.1:9/mcp', bearer_token_env_var: 'WEB_TOKEN', http_headers: {}, env_http_headers: {} },
        startup_timeout_sec: null,
        tool_timeout_sec: null,
        enabled_tools: null,
        disabled_tools: null,
      },
    ]);
    expect((await mcp('list')).stdout).toBe(
      ['Name  Status   Command or URL', 'docs  enabled  npx -y docs-server --port 3', 'web   enabled  http://127.0.0.1:9/mcp'].join('\n'),
    );
    const shown = await mcp('get', 'docs');
    expect(shown.stdout).toContain('  command: npx\n  args: -y docs-server --port 3\n  env: TOKEN\n');
    expect(shown.stdout).not.toContain('abc');

    const again = await mcp('add', 'docs', '--', 'other');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(`${join(home, 'config.toml')}: mcp_servers.docs: already defined; remove it first`);

    expect((await mcp('remove', 'docs')).exitCode).toBe(0);
    expect((await mcp('remove', 'web')).exitCode).toBe(0);
    expect(await readFile(join(home, 'config.toml'), 'utf8')).toBe(original);
    const missing = await mcp('get', 'docs');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('no MCP server named docs');
    expect((await mcp('remove', 'docs')).exitCode).toBe(1);
  }, 180_000);

  it('refuses an add with neither a command nor --url, and a name tools cannot carry', async () => {
    const neither = await mcp('add', 'x');
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toContain('give either a command (after --) or --url URL');
    const badName = await mcp('add', 'a.b', '--', 'cmd');
    expect(badName.exitCode).toBe(1);
    expect(badName.stderr).toContain('mcp_servers.a.b: server names may use only letters, digits');
  }, 60_000);
});
