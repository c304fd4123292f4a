import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** The fixture MCP server's file. */
const FIXTURE = fileURLToPath(new URL('./mcp.fixture.server.ts', import.meta.url));

/** How to start the fixture MCP server: node with tsx's loader, so no build step is needed. */
export function fixtureCommand(...flags: string[]): { command: string; args: string[] } {
  const loader = pathToFileURL(require.resolve('tsx/esm')).href;
  return { command: process.execPath, args: ['--import', loader, FIXTURE, ...flags] };
}

/** A `[mcp_servers.<name>]` table for config.toml that starts the fixture. */
export function fixtureToml(name: string, extra: Record<string, string | number | boolean> = {}, ...flags: string[]): string {
  const { command, args } = fixtureCommand(...flags);
  const lines = [`[mcp_servers.${name}]`, `command = ${JSON.stringify(command)}`, `args = ${JSON.stringify(args)}`];
  for (const [key, value] of Object.entries(extra)) lines.push(`${key} = ${JSON.stringify(value)}`);
  return `${lines.join('\n')}\n`;
}
