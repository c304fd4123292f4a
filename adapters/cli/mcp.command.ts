import { addMcpServer, loadConfig, removeMcpServer, statecraftHome, type McpServerTable } from '../../actors/config/index.js';

interface McpIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The servers of the effective config (every layer), by name. */
async function configuredServers(io: McpIo): Promise<Array<[string, McpServerTable]>> {
  const loaded = await loadConfig({ cwd: process.cwd(), env: io.env, home: statecraftHome(io.env) });
  for (const warning of loaded.warnings) io.stderr.write(`warning: ${warning}\n`);
  return Object.entries(loaded.config.mcp_servers ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

/** One server as `--json` prints it. */
const serverJson = (name: string, table: McpServerTable) => ({
  name,
  enabled: table.enabled !== false,
  required: table.required ?? false,
  transport:
    table.url !== undefined
      ? {
          type: 'streamable_http',
          url: table.url,
          bearer_token_env_var: table.bearer_token_env_var ?? null,
          http_headers: table.http_headers ?? {},
          env_http_headers: table.env_http_headers ?? {},
        }
      : { type: 'stdio', command: table.command ?? null, args: table.args ?? [], env: table.env ?? {}, cwd: table.cwd ?? null },
  startup_timeout_sec: table.startup_timeout_sec ?? null,
  tool_timeout_sec: table.tool_timeout_sec ?? null,
  enabled_tools: table.enabled_tools ?? null,
  disabled_tools: table.disabled_tools ?? null,
});

/** How a server is reached, in one line; environment values are not shown (they may be secrets). */
const target = (table: McpServerTable): string =>
  table.url !== undefined
    ? table.url
    : [table.command ?? '(no command)', ...(table.args ?? [])].map((word) => (/\s/.test(word) ? JSON.stringify(word) : word)).join(' ');

/** `statecraft mcp list [--json]`. */
export async function runMcpList(flags: { json: boolean }, io: McpIo): Promise<number> {
  const servers = await configuredServers(io);
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify(
        servers.map(([name, table]) => serverJson(name, table)),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (servers.length === 0) {
    io.stdout.write('No MCP servers configured. Add one with `statecraft mcp add NAME -- COMMAND ARGS...` or `statecraft mcp add NAME --url URL`.\n');
    return 0;
  }
  const rows = servers.map(([name, table]) => [name, table.enabled === false ? 'disabled' : 'enabled', target(table)]);
  const width = (column: number) => Math.max(...[['Name', 'Status'][column]!.length, ...rows.map((row) => row[column]!.length)]);
  const format = (row: string[]) => `${row[0]!.padEnd(width(0))}  ${row[1]!.padEnd(width(1))}  ${row[2]}`.trimEnd();
  io.stdout.write(`${[format(['Name', 'Status', 'Command or URL']), ...rows.map(format)].join('\n')}\n`);
  return 0;
}

/** `statecraft mcp get NAME [--json]`. */
export async function runMcpGet(name: string, flags: { json: boolean }, io: McpIo): Promise<number> {
  const found = (await configuredServers(io)).find(([candidate]) => candidate === name);
  if (!found) {
    io.stderr.write(`statecraft mcp: no MCP server named ${name}; \`statecraft mcp list\` shows the configured ones\n`);
    return 1;
  }
  const json = serverJson(...found);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  const lines = [name, `  enabled: ${json.enabled}`, `  required: ${json.required}`, `  transport: ${json.transport.type}`];
  const { transport } = json;
  if (transport.type === 'stdio') {
    lines.push(`  command: ${transport.command ?? '(none)'}`, `  args: ${(transport.args as string[]).join(' ') || '(none)'}`);
    lines.push(`  env: ${Object.keys(transport.env as object).join(', ') || '(none)'}`, `  cwd: ${transport.cwd ?? '(the thread\u2019s)'}`);
  } else {
    lines.push(`  url: ${transport.url}`, `  bearer_token_env_var: ${transport.bearer_token_env_var ?? '(none)'}`);
  }
  lines.push(`  startup_timeout_sec: ${json.startup_timeout_sec ?? '10 (default)'}`, `  tool_timeout_sec: ${json.tool_timeout_sec ?? '60 (default)'}`);
  if (json.enabled_tools) lines.push(`  enabled_tools: ${json.enabled_tools.join(', ')}`);
  if (json.disabled_tools) lines.push(`  disabled_tools: ${json.disabled_tools.join(', ')}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `statecraft mcp add NAME [--env K=V]... -- COMMAND ARGS...` or `statecraft mcp add NAME --url URL [--bearer-token-env-var VAR]`. */
export async function runMcpAdd(name: string, argv: string[], flags: { url?: string; env: string[]; bearerTokenEnvVar?: string }, io: McpIo): Promise<number> {
  if ((flags.url === undefined) === (argv.length === 0)) {
    io.stderr.write('statecraft mcp add: give either a command (after --) or --url URL\n');
    return 2;
  }
  const env: Record<string, string> = {};
  for (const pair of flags.env) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      io.stderr.write(`statecraft mcp add: --env takes KEY=VALUE, got ${JSON.stringify(pair)}\n`);
      return 2;
    }
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (flags.url !== undefined && flags.env.length > 0) {
    io.stderr.write('statecraft mcp add: --env is for a stdio server (a command), not a URL\n');
    return 2;
  }
  const [command, ...args] = argv;
  const table: McpServerTable =
    flags.url !== undefined
      ? { url: flags.url, ...(flags.bearerTokenEnvVar ? { bearer_token_env_var: flags.bearerTokenEnvVar } : {}) }
      : { command: command!, ...(args.length > 0 ? { args } : {}), ...(flags.env.length > 0 ? { env } : {}) };
  const file = await addMcpServer(statecraftHome(io.env), name, table);
  io.stdout.write(`Added MCP server ${name} to ${file}.\n`);
  return 0;
}

/** `statecraft mcp remove NAME`. */
export async function runMcpRemove(name: string, io: McpIo): Promise<number> {
  const removed = await removeMcpServer(statecraftHome(io.env), name);
  if (!removed) {
    io.stderr.write(`statecraft mcp: the user config defines no MCP server named ${name}\n`);
    return 1;
  }
  io.stdout.write(`Removed MCP server ${name}.\n`);
  return 0;
}
