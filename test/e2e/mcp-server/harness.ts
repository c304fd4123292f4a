/**
 * `statecraft mcp-server` driven by the MCP SDK's own Client over stdio, against the scripted
 * model on 127.0.0.1 (the app-server tests' fixture: temp root, workspace, home whose
 * config.toml points at the model).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolResultSchema, type CallToolResult, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { execa } from 'execa';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterEach } from 'vitest';
import { z } from 'zod';
import { fixture, type Fixture } from '../appServer/client.js';
import { CLI } from '../../support/appServer.js';
import { killPidsMatching } from '../../support/processes.js';
import type { Script } from '../../../actors/model/index.js';

type Json = any;

/** What a test's elicitation handler sees (the params, codex_* fields kept) and answers. */
export type ElicitHandler = (params: Json) => Json;

export interface Connected {
  client: Client;
  /** The `statecraft/event` notifications, in order. */
  events: Json[];
  /** The elicitation requests the client got, in order. */
  elicitations: Json[];
  stderr(): string;
  /** Calls a tool; the result as the SDK client parsed it. */
  call(name: string, args: Record<string, unknown>, options?: { signal?: AbortSignal; onprogress?: (progress: Json) => void }): Promise<CallToolResult>;
  close(): Promise<void>;
}

const env = (f: Pick<Fixture, 'home' | 'root'>) => ({ STATECRAFT_HOME: f.home, HOME: f.root, OPENAI_API_KEY: '', PATH: process.env.PATH ?? '/usr/bin:/bin' });

const StatecraftEvent = z.object({ method: z.literal('statecraft/event'), params: z.looseObject({}) });
const Elicitation = z.object({ method: z.literal('elicitation/create'), params: z.looseObject({}) });

/** Sets up a client: its notifications recorded, its elicitations (when it offers the capability) answered by `elicit`. */
async function attach(transport: Transport, stderr: () => string, elicit: ElicitHandler | null, name: string): Promise<Connected> {
  const client = new Client({ name, version: '0.0.1' }, { capabilities: elicit ? { elicitation: { form: {} } } : {} });
  const events: Json[] = [];
  const elicitations: Json[] = [];
  client.setNotificationHandler(StatecraftEvent, (notification) => {
    events.push(notification.params);
  });
  if (elicit) {
    client.setRequestHandler(Elicitation, async (request) => {
      elicitations.push(request.params);
      return elicit(request.params);
    });
  }
  await client.connect(transport);
  return {
    client,
    events,
    elicitations,
    stderr,
    call: (toolName, args, options = {}) =>
      client.callTool({ name: toolName, arguments: args }, CallToolResultSchema, { timeout: 60_000, ...options }) as Promise<CallToolResult>,
    close: () => client.close(),
  };
}

/** The servers and marked processes a test opened, torn down after it. */
export function mcpScenes() {
  const live = { fixture: undefined as Fixture | undefined, closers: [] as (() => Promise<void> | void)[], markers: [] as string[] };
  afterEach(async () => {
    for (const close of live.closers.splice(0)) await close();
    for (const marker of live.markers.splice(0)) killPidsMatching(marker);
    await live.fixture?.cleanup();
    live.fixture = undefined;
  });
  return {
    async open(script: Script): Promise<Fixture> {
      live.fixture = await fixture(script);
      return live.fixture;
    },
    /** `statecraft mcp-server` through the SDK's StdioClientTransport, started in the workspace. */
    async connect(f: Fixture, options: { elicit?: ElicitHandler | null; name?: string } = {}): Promise<Connected & { pid: () => number | null }> {
      const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp-server'], env: env(f), cwd: f.ws, stderr: 'pipe' });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      live.closers.push(() => transport.close());
      const connected = await attach(transport, () => stderr, options.elicit ?? null, options.name ?? 'mcp-e2e');
      return { ...connected, pid: () => transport.pid };
    },
    /**
     * The server as a plain child process, for what the SDK transport hides: its exit status
     * and raw lines on its stdin. `client` speaks MCP over the same pipes.
     */
    async spawn(f: Fixture, options: { elicit?: ElicitHandler | null } = {}) {
      const proc = execa(process.execPath, [CLI, 'mcp-server'], {
        env: env(f),
        extendEnv: false,
        cwd: f.ws,
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'pipe',
        reject: false,
        buffer: { stdout: false, stderr: true },
      });
      live.closers.push(() => {
        proc.kill('SIGKILL');
      });
      let stderr = '';
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (chunk: string) => {
        stderr += chunk;
      });
      proc.stdin.on('error', () => {});
      const transport = new PipeTransport(proc);
      const connected = await attach(transport, () => stderr, options.elicit ?? null, 'mcp-e2e-raw');
      return { ...connected, proc, transport };
    },
    /** A unique sleep duration to find a test's processes by. */
    marker(): string {
      const marker = `30.${Math.floor(Math.random() * 1e6)}`;
      live.markers.push(marker);
      return marker;
    },
  };
}

/** The SDK client's transport over a child's stdio, which also writes raw lines and keeps every line the server wrote. */
class PipeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Every line the server wrote, parsed. */
  readonly lines: Json[] = [];

  constructor(private readonly proc: { stdin: Writable; stdout: Readable; finally(done: () => void): unknown }) {}

  async start(): Promise<void> {
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const message: Json = JSON.parse(line);
      this.lines.push(message);
      this.onmessage?.(message);
    });
    this.proc.finally(() => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.writeLine(JSON.stringify(message));
  }

  writeLine(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }

  /** Ends the server's stdin (the client going away). */
  async close(): Promise<void> {
    this.proc.stdin.end();
  }
}

/** The events of one call, by the request id they carry. */
export const eventsOf = (events: Json[], method: string) => events.filter((event) => event.event.method === method);

/** A text of the call's result. */
export const textOf = (result: CallToolResult): string => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
