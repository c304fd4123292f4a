import type { McpServerSettings } from '../../protocol/index.js';
import { ConfigError } from './config.error.js';
import type { LoadedConfig } from './config.loader.js';
import type { McpServerTable } from './config.schema.js';
import { absolutePath } from './config.paths.js';
import { formatKeyPath } from './key.path.js';

/** Codex's defaults: ten seconds to start, a minute per tool call. */
const MCP_STARTUP_TIMEOUT_SEC = 10;
const MCP_TOOL_TIMEOUT_SEC = 60;

/** Server names become part of tool names (`mcp__<server>__<tool>`), so they keep to what every API accepts. */
const SERVER_NAME = /^[A-Za-z0-9_-]+$/;

/** Where a server's table (or one of its keys) was set, for errors that name the file. */
function sourceOf(loaded: LoadedConfig, name: string): string {
  const prefix = formatKeyPath(['mcp_servers', name]);
  return Object.entries(loaded.origins).find(([key]) => key === prefix || key.startsWith(`${prefix}.`))?.[1] ?? 'config';
}

/** The enabled `[mcp_servers.*]` of the effective config, checked and resolved against `cwd`. */
export function resolveMcpServers(loaded: LoadedConfig, cwd: string, env: NodeJS.ProcessEnv): McpServerSettings[] {
  const tables = loaded.config.mcp_servers ?? {};
  return Object.entries(tables)
    .filter(([, table]) => table.enabled !== false)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, table]) => resolveServer(name, table, sourceOf(loaded, name), cwd, env));
}

function resolveServer(name: string, table: McpServerTable, source: string, cwd: string, env: NodeJS.ProcessEnv): McpServerSettings {
  const key = (...keys: string[]) => formatKeyPath(['mcp_servers', name, ...keys]);
  if (!SERVER_NAME.test(name)) {
    throw new ConfigError('mcp', source, key(), 'server names may use only letters, digits, "_" and "-" (they become part of tool names)');
  }
  if (table.command !== undefined && table.url !== undefined) {
    throw new ConfigError('mcp', source, key('url'), 'set either command (a stdio server) or url (a streamable HTTP server), not both');
  }
  const stdioOnly = (['args', 'env', 'cwd'] as const).find((k) => table[k] !== undefined);
  const httpOnly = (['bearer_token_env_var', 'http_headers', 'env_http_headers'] as const).find((k) => table[k] !== undefined);
  let transport: McpServerSettings['transport'];
  if (table.command !== undefined) {
    if (httpOnly) throw new ConfigError('mcp', source, key(httpOnly), 'only a streamable HTTP server (url = ...) takes this key');
    transport = {
      type: 'stdio',
      command: table.command,
      args: table.args ?? [],
      env: table.env ?? {},
      cwd: table.cwd === undefined ? null : absolutePath(table.cwd, cwd, env),
    };
  } else if (table.url !== undefined) {
    if (stdioOnly) throw new ConfigError('mcp', source, key(stdioOnly), 'only a stdio server (command = ...) takes this key');
    if (!URL.canParse(table.url)) throw new ConfigError('mcp', source, key('url'), `not a URL: ${JSON.stringify(table.url)}`);
    transport = {
      type: 'streamableHttp',
      url: table.url,
      bearerTokenEnvVar: table.bearer_token_env_var ?? null,
      httpHeaders: table.http_headers ?? {},
      envHttpHeaders: table.env_http_headers ?? {},
    };
  } else {
    throw new ConfigError('mcp', source, key(), 'needs command (a stdio server, e.g. command = "npx") or url (a streamable HTTP server)');
  }
  return {
    name,
    transport,
    required: table.required ?? false,
    startupTimeoutMs: Math.round((table.startup_timeout_sec ?? MCP_STARTUP_TIMEOUT_SEC) * 1000),
    toolTimeoutMs: Math.round((table.tool_timeout_sec ?? MCP_TOOL_TIMEOUT_SEC) * 1000),
    enabledTools: table.enabled_tools ?? null,
    disabledTools: table.disabled_tools ?? [],
  };
}
