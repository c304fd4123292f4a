import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSettings, ToolSpec } from '../../protocol/index.js';
import { McpConnection, type McpServerState } from './connection.js';
import { qualifiedToolName } from './names.js';
import { mcpToolSpec, offeredParameters } from './tools.js';

/** One MCP tool as a thread offers it. */
export interface McpToolRef {
  server: string;
  tool: string;
  readOnly: boolean;
}

/** A server as `mcpServerStatus/list` and `mcp list` report it. */
export interface McpServerReport {
  name: string;
  state: McpServerState;
  error: string | null;
  tools: Tool[];
}

interface Shared {
  connection: McpConnection;
  users: Set<string>;
}

/**
 * The MCP servers of one process: one connection per server configuration, shared by the
 * threads configured with it, closed when the last of them lets go, and killed at exit.
 */
export class McpConnections {
  private readonly shared = new Map<string, Shared>();
  private readonly roots = new Map<string, string[]>();
  private readonly reported = new Set<string>();
  private readonly onExit = () => {
    for (const { connection } of this.shared.values()) connection.killNow();
  };

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly clientVersion: string,
    private readonly warn: (message: string) => void,
  ) {
    process.once('exit', this.onExit);
  }

  /** Starts (or joins) every server a thread is configured with; nothing is awaited here. */
  acquire(threadId: string, servers: McpServerSettings[], roots: string[]): ThreadMcp {
    this.roots.set(threadId, roots);
    const connections = servers.map((settings) => {
      const key = JSON.stringify(settings);
      let entry = this.shared.get(key);
      if (!entry) {
        const connection = new McpConnection(
          settings,
          this.env,
          {
            roots: () => [...new Set([...(entry?.users ?? [])].flatMap((user) => this.roots.get(user) ?? []))],
            onFailure: (_server, message) => {
              if (this.reported.has(message)) return;
              this.reported.add(message);
              this.warn(message);
            },
          },
          this.clientVersion,
        );
        entry = { connection, users: new Set() };
        this.shared.set(key, entry);
      }
      entry.users.add(threadId);
      return entry.connection;
    });
    return new ThreadMcp(connections, () => this.release(threadId));
  }

  /** A thread let go: servers nobody else uses are closed. */
  private async release(threadId: string): Promise<void> {
    this.roots.delete(threadId);
    const closing: Promise<void>[] = [];
    for (const [key, entry] of this.shared) {
      if (!entry.users.delete(threadId) || entry.users.size > 0) continue;
      this.shared.delete(key);
      closing.push(entry.connection.close());
    }
    await Promise.all(closing);
  }

  /** Closes every server (at the end of a process that can still wait). */
  async closeAll(): Promise<void> {
    process.removeListener('exit', this.onExit);
    const all = [...this.shared.values()].map(({ connection }) => connection.close());
    this.shared.clear();
    await Promise.all(all);
  }
}

/** The MCP servers one thread uses: the tools it offers, the calls it makes. */
export class ThreadMcp {
  /** The release under way or done: every caller waits for the same one. */
  private released: Promise<void> | null = null;
  private offered = new Map<string, McpToolRef>();

  constructor(
    private readonly connections: McpConnection[],
    private readonly onRelease: () => Promise<void>,
  ) {}

  /** Servers that are still starting: a required one that failed makes the thread fail. */
  async requiredFailure(): Promise<string | null> {
    const required = this.connections.filter((connection) => connection.settings.required);
    await Promise.all(required.map((connection) => connection.ready));
    return required.find((connection) => connection.state === 'failed')?.error ?? null;
  }

  /**
   * The tools to offer the model now. Waits for servers still inside their startup time (each
   * bounded by it); a server that failed is left out (it was reported when it failed).
   */
  async toolSpecs(onNote: (message: string) => void): Promise<ToolSpec[]> {
    await Promise.all(this.connections.map((connection) => connection.ready));
    const specs: ToolSpec[] = [];
    const offered = new Map<string, McpToolRef>();
    for (const connection of this.connections) {
      if (connection.state !== 'ready') continue;
      const server = connection.settings.name;
      for (const tool of connection.tools) {
        const name = qualifiedToolName(server, tool.name);
        if (offered.has(name)) {
          onNote(`MCP server ${server}: tool ${tool.name} is not offered: its name ${name} is taken by another tool`);
          continue;
        }
        const { parameters, note } = offeredParameters(tool);
        if (note !== null) onNote(`MCP server ${server}: tool ${tool.name}: ${note}`);
        offered.set(name, { server, tool: tool.name, readOnly: tool.annotations?.readOnlyHint === true });
        specs.push(mcpToolSpec(name, server, tool, parameters));
      }
    }
    this.offered = offered;
    return specs;
  }

  /** The MCP tool a name the model called stands for, if it is one offered. */
  lookup(name: string): McpToolRef | null {
    return this.offered.get(name) ?? null;
  }

  async call(server: string, tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const connection = this.connections.find((candidate) => candidate.settings.name === server);
    if (!connection) throw new Error(`no MCP server named ${server} in this thread`);
    return connection.callTool(tool, args, signal);
  }

  /** Each server's state and tools. */
  report(): McpServerReport[] {
    return this.connections.map(({ settings, state, error, tools }) => ({ name: settings.name, state, error, tools }));
  }

  release(): Promise<void> {
    this.released ??= this.onRelease();
    return this.released;
  }
}
