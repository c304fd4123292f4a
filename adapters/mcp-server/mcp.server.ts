import { resolve } from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ElicitRequest,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { createRuntime, present, ThreadRegistry } from '../../actors/runtime/index.js';
import { errorMessage, type ThreadOverrides } from '../../protocol/index.js';
import { StatecraftReplyToolParams, StatecraftToolOutput, StatecraftToolParams } from '../../protocol/mcpServer/index.js';
import { clientUserAgent, DEFAULT_MAX_LINE_BYTES, type StdioServerOptions } from '../shared/index.js';
import { LineTransport } from './stdio.transport.js';
import { runTurnForCall, toolError, type CallChannel } from './turn.call.js';

/** Longer than any human takes to answer an approval (the SDK's default gives up after a minute); the most a timer can wait. */
const APPROVAL_WAIT_MS = 2 ** 31 - 1;

const inputSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input' }) as Tool['inputSchema'];

const tools: Tool[] = [
  {
    name: 'statecraft',
    title: 'statecraft: run a coding task',
    description:
      'Start a statecraft thread and run one turn: the agent reads, edits and runs commands in `cwd` under the sandbox and approval policy given, ' +
      'and answers with its last message. Continue the thread with statecraft-reply.',
    inputSchema: inputSchema(StatecraftToolParams),
    outputSchema: z.toJSONSchema(StatecraftToolOutput) as Tool['outputSchema'],
  },
  {
    name: 'statecraft-reply',
    title: 'statecraft: continue a thread',
    description: 'Run one more turn of a statecraft thread (one this server runs, or one recorded on disk by an earlier run) and answer with its last message.',
    inputSchema: inputSchema(StatecraftReplyToolParams),
    outputSchema: z.toJSONSchema(StatecraftToolOutput) as Tool['outputSchema'],
  },
];

const threadOverrides = (args: StatecraftToolParams): ThreadOverrides => {
  const { model, profile, sandbox, config } = present(args);
  const { 'approval-policy': approvalPolicy, 'base-instructions': baseInstructions, 'developer-instructions': developerInstructions } = present(args);
  return {
    ...present({ model, profile, sandbox, config, approvalPolicy, baseInstructions, developerInstructions }),
    ...(args.cwd ? { cwd: resolve(args.cwd) } : {}),
  };
};

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * `statecraft mcp-server`: MCP over stdio, offering the tools `statecraft` (a new thread, one
 * turn) and `statecraft-reply` (one more turn). Each call runs its turn on the thread runtime
 * and streams its events to the client; everything else lives in the runtime.
 */
export async function runMcpServer(options: StdioServerOptions): Promise<void> {
  const { log } = options;
  const server = new Server({ name: 'statecraft', title: 'statecraft', version: options.version }, { capabilities: { tools: {} } });
  server.onerror = (error) => log(`error: ${error.message}`);

  // The runtime is made at the first call, once the client has said who it is.
  const made: { registry: Promise<ThreadRegistry> | null } = { registry: null };
  const threads = (): Promise<ThreadRegistry> => {
    const client = server.getClientVersion() ?? { name: 'statecraft_mcp_server', version: options.version };
    return (made.registry ??= createRuntime({
      env: options.env,
      cwd: process.cwd(),
      source: 'appServer',
      originator: client.name,
      cliVersion: options.version,
      userAgent: clientUserAgent(client, options.version, options.env),
      onWarning: (message) => log(`warning: ${message}`),
    }).then((runtime) => new ThreadRegistry(runtime)));
  };

  const canElicit = (): boolean => {
    const elicitation = server.getClientCapabilities()?.elicitation;
    // An empty elicitation capability means forms, as before modes existed.
    return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
  };

  const channel = (extra: Extra): CallChannel => ({
    requestId: extra.requestId,
    progressToken: extra._meta?.progressToken,
    signal: extra.signal,
    // Events keep coming after a cancel, up to the interrupted turn's completion.
    notify: (notification) => void server.notification(notification, { relatedRequestId: extra.requestId }).catch((error: unknown) => log(errorMessage(error))),
    progress: (params) => void extra.sendNotification({ method: 'notifications/progress', params }).catch((error: unknown) => log(errorMessage(error))),
    elicit: canElicit()
      ? (params, signal) =>
          extra.sendRequest({ method: 'elicitation/create', params } as ElicitRequest, z.looseObject({}), { signal, timeout: APPROVAL_WAIT_MS })
      : null,
    log,
  });

  const startCall = async (args: StatecraftToolParams, extra: Extra): Promise<CallToolResult> => {
    let handle;
    try {
      handle = await (await threads()).start(threadOverrides(args));
    } catch (error) {
      return toolError(`cannot start the thread: ${errorMessage(error)}`);
    }
    return runTurnForCall(handle, args.prompt, channel(extra));
  };

  const replyCall = async (args: StatecraftReplyToolParams, extra: Extra): Promise<CallToolResult> => {
    let handle;
    try {
      handle = (await (await threads()).resume(args.threadId, {})).handle;
    } catch (error) {
      return toolError(`cannot continue thread ${args.threadId}: ${errorMessage(error)}`);
    }
    return runTurnForCall(handle, args.prompt, channel(extra));
  };

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const invalid = (error: z.ZodError) => toolError(`invalid arguments for ${name}:\n${z.prettifyError(error)}`);
    switch (name) {
      case 'statecraft': {
        const parsed = StatecraftToolParams.safeParse(args);
        return parsed.success ? startCall(parsed.data, extra) : invalid(parsed.error);
      }
      case 'statecraft-reply': {
        const parsed = StatecraftReplyToolParams.safeParse(args);
        return parsed.success ? replyCall(parsed.data, extra) : invalid(parsed.error);
      }
      default:
        throw new McpError(ErrorCode.InvalidParams, `unknown tool ${JSON.stringify(name)}: this server offers ${tools.map((tool) => tool.name).join(' and ')}`);
    }
  });

  const closed = new Promise<void>((resolveClosed) => {
    server.onclose = () => resolveClosed();
  });
  await server.connect(new LineTransport({ input: options.input, output: options.output, log, maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES }));
  await closed;
  // The client is gone: interrupt what runs, kill its processes, flush the rollouts.
  const opened = await made.registry?.catch(() => null);
  await opened?.closeAll();
}
