import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitationQuestion, McpServerSettings, McpStartupState, ToolSpec } from '../../protocol/index.js';
import type { McpServerStatus } from '../../protocol/appServer/index.js';
import { McpConnection, type ElicitationAnswer, type ElicitationAsker, type McpServerState } from './connection.js';
import { qualifiedToolName } from './names.js';
import { mcpToolSpec, offeredParameters } from './tools.js';

/** One MCP tool as a thread offers it. */
export interface McpToolRef {
  server: string;
  tool: string;
  readOnly: boolean;
}

/** Told where each of a thread's servers is in its start: starting, ready, failed (with why). */
export type McpStatusWatcher = (server: string, status: McpStartupState, error: string | null) => void;

const startupStatus: Record<McpServerState, McpStartupState> = { starting: 'starting', ready: 'ready', failed: 'failed' };

const runtimeStatus: Record<McpServerState, McpServerStatus['runtimeStatus']> = { starting: 'starting', ready: 'connected', failed: 'failed' };

/** A server as `mcpServerStatus/list` reports it: its connection's state and what it offers. */
function serverStatus(connection: McpConnection): McpServerStatus {
  const { settings, state, error } = connection;
  const { transport } = settings;
  return {
    name: settings.name,
    // No OAuth: a stdio server needs no login, an HTTP one is reached with a bearer token or as it is.
    authStatus: transport.type === 'stdio' || transport.bearerTokenEnvVar === null ? 'unsupported' : 'bearerToken',
    runtimeStatus: runtimeStatus[state],
    serverInfo: connection.serverInfo,
    serverCapabilities: connection.serverCapabilities,
    httpOrigin: transport.type === 'streamableHttp' ? new URL(transport.url).origin : null,
    tools: Object.fromEntries(connection.tools.map((tool) => [tool.name, tool])),
    toolsError: state === 'failed' ? error : null,
    resources: [],
    resourceTemplates: [],
  };
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
  private readonly threads = new Map<string, ThreadMcp>();
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

  /**
   * Starts (or joins) every server a thread is configured with; nothing is awaited here.
   * `ask` passes the servers' questions to the thread's user.
   */
  acquire(threadId: string, servers: McpServerSettings[], roots: string[], ask: ElicitationAsker, onStatus: McpStatusWatcher = () => {}): ThreadMcp {
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
            elicit: (server, question, signal) => this.elicit([...(entry?.users ?? [])], server, question, signal),
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
    const thread = new ThreadMcp(connections, ask, () => this.release(threadId));
    thread.follow(onStatus);
    this.threads.set(threadId, thread);
    return thread;
  }

  /**
   * A server's question goes to the user of the thread whose call it is serving (a server
   * shared by threads asks during one of their calls); with no call running, to the first
   * thread using it. With no thread left, it is declined.
   */
  private elicit(users: string[], server: string, question: ElicitationQuestion, signal: AbortSignal): Promise<ElicitationAnswer> {
    const threads = users.flatMap((user) => this.threads.get(user) ?? []);
    const thread = threads.find((candidate) => candidate.isCalling(server)) ?? threads[0];
    if (!thread) {
      this.warn(`MCP server ${server} asked "${question.message}" with no thread left to answer; declined`);
      return Promise.resolve({ action: 'decline', content: null });
    }
    return thread.ask(server, question, signal);
  }

  /** A thread let go: servers nobody else uses are closed. */
  private async release(threadId: string): Promise<void> {
    this.roots.delete(threadId);
    this.threads.delete(threadId);
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
  /** Calls running now, per server: a server's question goes to the thread it is serving. */
  private readonly calling = new Map<string, number>();
  private readonly unwatch: Array<() => void> = [];

  constructor(
    private readonly connections: McpConnection[],
    /** Passes a server's question to this thread's user. */
    readonly ask: ElicitationAsker,
    private readonly onRelease: () => Promise<void>,
  ) {}

  /** Reports each server's start to `watcher` until the thread lets go; a server that dies later is reported failed too. */
  follow(watcher: McpStatusWatcher): void {
    for (const connection of this.connections) {
      this.unwatch.push(connection.watch((state, error) => watcher(connection.settings.name, startupStatus[state], error)));
    }
  }

  isCalling(server: string): boolean {
    return (this.calling.get(server) ?? 0) > 0;
  }

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
    this.calling.set(server, (this.calling.get(server) ?? 0) + 1);
    try {
      return await connection.callTool(tool, args, signal);
    } finally {
      this.calling.set(server, (this.calling.get(server) ?? 1) - 1);
    }
  }

  /** Resolves once every server is up, failed, or out of startup time. */
  async settled(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.ready));
  }

  /** Each server's state and tools. */
  report(): McpServerStatus[] {
    return this.connections.map(serverStatus);
  }

  release(): Promise<void> {
    for (const stop of this.unwatch.splice(0)) stop();
    this.released ??= this.onRelease();
    return this.released;
  }
}
