import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DEFAULT_INHERITED_ENV_VARS, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  McpError,
  ErrorCode,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { pathToFileURL } from 'node:url';
import type { ElicitationAction, ElicitationContent, ElicitationQuestion, McpServerSettings } from '../../protocol/index.js';
import type { McpServerStatus } from '../../protocol/appServer/index.js';
import { errorMessage } from '../../protocol/index.js';

export type McpServerState = 'starting' | 'ready' | 'failed';

/** How much of a server's stderr a startup failure quotes. */
const STDERR_TAIL_CHARS = 2_000;

/** The user's answer to a server's question. */
export interface ElicitationAnswer {
  action: ElicitationAction;
  content: ElicitationContent | null;
}

/** Passes a server's question on to the user; `signal` aborts when the server stops waiting. */
export type ElicitationAsker = (server: string, question: ElicitationQuestion, signal: AbortSignal) => Promise<ElicitationAnswer>;

/** What the connection asks of whoever uses it: roots to report, a user to ask, where to say a server failed. */
export interface ConnectionHooks {
  /** The writable roots of the threads using this server, for `roots/list`. */
  roots(): string[];
  /** Asks the user what the server wants to know (`elicitation/create`). */
  elicit: ElicitationAsker;
  /** A server that could not start, or that died, said once. */
  onFailure(server: string, message: string): void;
}

/** The environment a stdio server starts with: the basics of ours (PATH, HOME, ...) and what its table sets. */
function serverEnvironment(env: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of DEFAULT_INHERITED_ENV_VARS) {
    const value = env[key];
    if (value !== undefined && !value.startsWith('()')) base[key] = value;
  }
  return { ...base, ...extra };
}

/** The headers of a streamable HTTP server: fixed ones, ones read from variables, and the bearer token. */
function httpHeaders(transport: Extract<McpServerSettings['transport'], { type: 'streamableHttp' }>, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = { ...transport.httpHeaders };
  for (const [header, variable] of Object.entries(transport.envHttpHeaders)) {
    const value = env[variable];
    if (value) headers[header] = value;
  }
  if (transport.bearerTokenEnvVar !== null) {
    const token = env[transport.bearerTokenEnvVar];
    if (!token) throw new Error(`the variable ${transport.bearerTokenEnvVar} (bearer_token_env_var) is not set`);
    headers['Authorization'] = `Bearer ${token}`;
  }
  return headers;
}

/**
 * One MCP server, reached with the SDK's client: started once, its tools listed and kept
 * current on `notifications/tools/list_changed`, closed when nobody uses it any more.
 * `ready` never rejects: it settles when the server is up, failed, or out of startup time.
 */
export class McpConnection {
  state: McpServerState = 'starting';
  error: string | null = null;
  tools: Tool[] = [];
  readonly ready: Promise<void>;
  private readonly client: Client;
  private transport: Transport | null = null;
  private stderrTail = '';
  private closed = false;
  private readonly watchers = new Set<(state: McpServerState, error: string | null) => void>();

  constructor(
    readonly settings: McpServerSettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly hooks: ConnectionHooks,
    clientVersion: string,
  ) {
    this.client = new Client({ name: 'statecraft', version: clientVersion }, { capabilities: { roots: { listChanged: false }, elicitation: {} } });
    this.client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: this.hooks.roots().map((root) => ({ uri: pathToFileURL(root).href, name: root })),
    }));
    // Sampling is not offered (no capability declared); a server that asks anyway is told so in words.
    // (A plain error with a code: the SDK sends its message as it is, where an McpError's would repeat the code.)
    this.client.fallbackRequestHandler = ({ method }) =>
      Promise.reject(
        Object.assign(
          new Error(
            method === 'sampling/createMessage'
              ? 'statecraft does not offer sampling (sampling/createMessage is declined); the server has to go on without a model completion'
              : `statecraft does not handle ${method}`,
          ),
          { code: ErrorCode.MethodNotFound },
        ),
      );
    // Only forms are offered (the SDK refuses URL questions before this handler); each goes to the user of the thread that asked.
    this.client.setRequestHandler(ElicitRequestSchema, async ({ params }, extra) => {
      if (!('requestedSchema' in params)) throw new Error('statecraft answers form questions only');
      const question: ElicitationQuestion = {
        mode: 'form',
        message: params.message,
        requestedSchema: params.requestedSchema,
        ...(params._meta ? { _meta: params._meta } : {}),
      };
      const answer = await this.hooks.elicit(this.settings.name, question, extra.signal);
      return answer.content === null ? { action: answer.action } : { action: answer.action, content: answer.content };
    });
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.refreshTools().catch(() => {}));
    this.ready = this.start();
  }

  /** What the server said it is when it started (name, version, title, ...); null before that. */
  get serverInfo(): McpServerStatus['serverInfo'] {
    return this.client.getServerVersion() ?? null;
  }

  /** The capabilities the server announced when it started; null before that. */
  get serverCapabilities(): unknown {
    return this.client.getServerCapabilities() ?? null;
  }

  /** The process id of a stdio server while it runs. */
  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  private async start(): Promise<void> {
    const { startupTimeoutMs, name } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not start within ${startupTimeoutMs / 1000} s (startup_timeout_sec)`)), startupTimeoutMs);
    });
    try {
      await Promise.race([this.connect(), timeout]);
      if (this.closed) return;
      this.state = 'ready';
      this.tell();
    } catch (error) {
      if (this.closed) return;
      this.fail(`MCP server ${name} failed to start: ${errorMessage(error)}${this.stderrNote()}`);
      void this.close();
    } finally {
      clearTimeout(timer);
    }
  }

  private async connect(): Promise<void> {
    const { transport } = this.settings;
    if (transport.type === 'stdio') {
      const stdio = new StdioClientTransport({
        command: transport.command,
        args: transport.args,
        env: serverEnvironment(this.env, transport.env),
        ...(transport.cwd !== null ? { cwd: transport.cwd } : {}),
        stderr: 'pipe',
      });
      stdio.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
      });
      this.transport = stdio;
    } else {
      this.transport = new StreamableHTTPClientTransport(new URL(transport.url), { requestInit: { headers: httpHeaders(transport, this.env) } });
    }
    this.client.onclose = () => {
      if (!this.closed && this.state === 'ready') this.fail(`MCP server ${this.settings.name} exited${this.stderrNote()}`);
    };
    await this.client.connect(this.transport);
    await this.refreshTools();
  }

  private stderrNote(): string {
    const tail = this.stderrTail.trim();
    return tail ? `; its stderr ends with: ${tail}` : '';
  }

  private fail(message: string): void {
    this.state = 'failed';
    this.error = message;
    this.tools = [];
    this.hooks.onFailure(this.settings.name, message);
    this.tell();
  }

  /** Follows the server's state: told the current one now, and each change after; returns how to stop. */
  watch(watcher: (state: McpServerState, error: string | null) => void): () => void {
    watcher(this.state, this.error);
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private tell(): void {
    for (const watcher of this.watchers) watcher(this.state, this.error);
  }

  /** Lists every page of the server's tools, keeping those the config lets through. */
  private async refreshTools(): Promise<void> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    const { enabledTools, disabledTools } = this.settings;
    this.tools = tools.filter((tool) => (enabledTools === null || enabledTools.includes(tool.name)) && !disabledTools.includes(tool.name));
  }

  /** Calls one tool, bounded by the server's tool timeout; a timeout or a dead server rejects with a message for the model. */
  async callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    if (this.state !== 'ready') throw new Error(this.error ?? `MCP server ${this.settings.name} is not ready`);
    const { toolTimeoutMs, name } = this.settings;
    try {
      const result = await this.client.callTool({ name: tool, arguments: args }, CallToolResultSchema, { timeout: toolTimeoutMs, signal });
      return result as CallToolResult;
    } catch (error) {
      if (error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number)) {
        throw new Error(`tool call timed out after ${toolTimeoutMs / 1000} s (tool_timeout_sec of MCP server ${name})`);
      }
      if (this.failed()) throw new Error(`${this.error ?? `MCP server ${name} exited`} during the call`);
      throw new Error(`MCP server ${name}: ${errorMessage(error)}`);
    }
  }

  /** Whether the server died or never started (it may have died while a call waited). */
  private failed(): boolean {
    return this.state === 'failed';
  }

  /** Ends the connection; a stdio server's process is ended (and killed if it lingers). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close().catch(() => {});
  }

  /** At process exit nothing can be awaited: the server process is killed at once. */
  killNow(): void {
    const pid = this.pid;
    if (pid === null) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
