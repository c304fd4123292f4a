import type { Readable, Writable } from 'node:stream';

/** What a server speaking JSON lines on stdio (the app-server, the MCP server) is started with. */
export interface StdioServerOptions {
  input: Readable;
  output: Writable;
  env: NodeJS.ProcessEnv;
  version: string;
  log: (line: string) => void;
  maxLineBytes?: number;
}
