import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { ConfigError } from './config.error.js';
import { readConfigFile } from './config.file.js';
import { McpServerTable } from './config.schema.js';
import { isTable } from './key.path.js';

/** The user's config file, which `statecraft mcp add/remove` edit. */
const userConfigFile = (home: string): string => join(home, 'config.toml');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A table header for this server or one of its sub-tables (`[mcp_servers.NAME]`, `[mcp_servers."NAME".env]`). */
const headerOf = (name: string) =>
  new RegExp(`^\\s*\\[\\s*mcp_servers\\s*\\.\\s*(?:${escapeRegExp(name)}|"${escapeRegExp(name)}"|'${escapeRegExp(name)}')\\s*(?:\\]|\\.)`);
const anyHeader = /^\s*\[/;

const serversIn = (table: Record<string, unknown> | null): Record<string, unknown> => {
  const servers = table?.['mcp_servers'];
  return isTable(servers) ? servers : {};
};

/**
 * Adds `[mcp_servers.NAME]` at the end of the user's config file. Only text is appended, so
 * every other key, comment and layout stays as it was.
 */
export async function addMcpServer(home: string, name: string, table: McpServerTable): Promise<string> {
  const file = userConfigFile(home);
  const key = `mcp_servers.${name}`;
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new ConfigError('mcp', file, key, 'server names may use only letters, digits, "_" and "-"');
  const checked = McpServerTable.parse(table);
  if (name in serversIn(await readConfigFile(file))) throw new ConfigError('mcp', file, key, 'already defined; remove it first (statecraft mcp remove NAME)');
  const before = await readFile(file, 'utf8').catch(() => '');
  const separator = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  await mkdir(home, { recursive: true });
  await writeFile(file, `${before}${separator}${stringify({ mcp_servers: { [name]: checked } })}\n`);
  return file;
}

/**
 * Removes the server's tables (and sub-tables) from the user's config file, leaving every
 * other line as it was. Returns false when the file does not define the server.
 */
export async function removeMcpServer(home: string, name: string): Promise<boolean> {
  const file = userConfigFile(home);
  if (!(name in serversIn(await readConfigFile(file)))) return false;
  const lines = (await readFile(file, 'utf8')).split('\n');
  const header = headerOf(name);
  const kept: string[] = [];
  let inServer = false;
  for (const line of lines) {
    if (anyHeader.test(line)) inServer = header.test(line);
    if (!inServer) kept.push(line);
  }
  const text = kept.join('\n').replace(/\n{3,}/g, '\n\n');
  await writeFile(file, text);
  if (name in serversIn(await readConfigFile(file))) {
    await writeFile(file, lines.join('\n'));
    throw new ConfigError('mcp', file, `mcp_servers.${name}`, 'is not written as a [mcp_servers.NAME] table; remove it by hand');
  }
  return true;
}
