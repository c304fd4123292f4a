import { platform } from 'node:os';
// Not the runtime's face: that would read the runtime before `initialize` is answered.
import { statecraftHome } from '../../actors/config/config.paths.js';
import type { Runtime as Agent, ModelListing, ThreadHandle, ThreadRegistry } from '../../actors/runtime/index.js';
import type { ProtocolEvent, SandboxPolicy, ThreadOverrides, ThreadSettings, Turn, TurnOverrides } from '../../protocol/index.js';
import type { ClientRequestParams, ThreadSessionResult } from '../../protocol/appServer/index.js';
import { JsonRpcErrorCode } from '../../protocol/appServer/jsonrpc.schema.js';
import { errorMessage } from '../../protocol/text.js';
import { clientUserAgent, type StdioServerOptions } from '../shared/index.js';
import { createConnection } from './connection.js';
import { RpcError } from './errors.js';
import { ResponseGates } from './response.order.js';

export interface AppServerOptions extends StdioServerOptions {
  /** Record every thread's trace beside its rollout (`--trace`), whatever the config says. */
  trace?: boolean;
  /** Serve the live inspector on this port of 127.0.0.1 (`--inspect[=PORT]`; 0: any free port). Its URL is logged; stdout stays the protocol's. */
  inspect?: number;
}

/**
 * The runtime (and with it the machines, the model client, the command policy). It loads with
 * the first request that needs it, so `initialize` is answered before any of it is read.
 */
const loadRuntime = () => import('../../actors/runtime/index.js');
type Runtime = Awaited<ReturnType<typeof loadRuntime>>;

const threadOverrides = ({ present }: Runtime, params: ClientRequestParams<'thread/start'>): ThreadOverrides => {
  const { cwd, model, modelProvider, approvalPolicy, sandbox, config, baseInstructions, developerInstructions, ephemeral } = present(params);
  return { cwd, model, modelProvider, approvalPolicy, sandbox, config, baseInstructions, developerInstructions, ephemeral };
};

const sandboxPolicy = (settings: ThreadSettings): SandboxPolicy => {
  switch (settings.sandboxMode) {
    case 'read-only':
      return { type: 'readOnly', networkAccess: settings.networkAccess };
    case 'workspace-write':
      return {
        type: 'workspaceWrite',
        writableRoots: settings.writableRoots,
        networkAccess: settings.networkAccess,
        excludeTmpdirEnvVar: settings.excludeTmpdirEnvVar,
        excludeSlashTmp: settings.excludeSlashTmp,
      };
    case 'danger-full-access':
      return { type: 'dangerFullAccess' };
  }
};

/** The live inspector, loaded only when asked for; a port it cannot listen on ends the server with the reason. */
async function startInspector(port: number) {
  const { startLiveInspector } = await import('../inspector/live.js');
  try {
    return await startLiveInspector(port, 'statecraft app-server (live)');
  } catch (error) {
    throw new Error(`--inspect: cannot serve the inspector on 127.0.0.1:${port}: ${errorMessage(error)}`);
  }
}

/** Errors a client caused get a client error code; the rest stay internal. */
function asRpcError({ UnknownThreadError, AmbiguousThreadIdError, ConfigError, KeyringUnavailableError, CredentialsError }: Runtime, error: unknown): unknown {
  if (error instanceof RpcError) return error;
  if (error instanceof UnknownThreadError || error instanceof AmbiguousThreadIdError) return new RpcError(JsonRpcErrorCode.InvalidRequest, error.message);
  if (error instanceof ConfigError) return new RpcError(JsonRpcErrorCode.InvalidParams, error.message);
  if (error instanceof KeyringUnavailableError || error instanceof CredentialsError) return new RpcError(JsonRpcErrorCode.InvalidRequest, error.message);
  if (error instanceof Error && error.message.startsWith('invalid cursor')) return new RpcError(JsonRpcErrorCode.InvalidParams, error.message);
  return error;
}

/**
 * `statecraft app-server`: the v2 protocol over stdio. It turns requests into calls on the
 * thread registry and forwards each thread's events; everything else lives in the runtime.
 */
export async function runAppServer(options: AppServerOptions): Promise<void> {
  /** `attach` sends a thread's events to the client: approvals as server requests (see approvals.bridge.ts), the rest as notifications. */
  type Served = { runtime: Runtime; agent: Agent; registry: ThreadRegistry; attach: (handle: ThreadHandle) => void };
  const inspector = options.inspect === undefined ? null : await startInspector(options.inspect);
  if (inspector) options.log(`inspector: ${inspector.url} (a live view of this process's state machines)`);
  let served: Served | null = null;
  let loading: Promise<Served> | null = null;
  let originator = 'unknown';
  let userAgent: string | undefined;

  /**
   * Each thread's events go to the client in order, but the events a request causes
   * (thread/started, turn/started, ...) follow that request's answer.
   */
  const order = new ResponseGates<ProtocolEvent>();

  /**
   * The runtime, the registry and the approval bridge (with the server requests' schemas),
   * loaded once (again after a failure); requests reach here only after `initialize`.
   */
  const threads = () =>
    (loading ??= (async () => {
      const [runtime, { ApprovalBridge, forwardEvent }] = await Promise.all([loadRuntime(), import('./approvals.bridge.js')]);
      const agent = await runtime.createRuntime({
        env: options.env,
        cwd: process.cwd(),
        source: 'vscode',
        originator,
        cliVersion: options.version,
        userAgent,
        configOverrides: options.trace ? ['trace=true'] : [],
        onWarning: (message) => options.log(`warning: ${message}`),
      });
      const registry = new runtime.ThreadRegistry(agent);
      const approvals = new ApprovalBridge(
        connection,
        (threadId, approvalId, decision, content) => registry.get(threadId)?.decide(approvalId, decision, content),
        options.log,
      );
      const attach = (handle: ThreadHandle) => {
        inspector?.watch(handle);
        order.ordered(handle.threadId, handle.events$).subscribe((event) => forwardEvent(connection, approvals, handle.threadId, event));
      };
      served = { runtime, agent, registry, attach };
      return served;
    })().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
  const loaded = (threadId: string) => {
    const handle = served?.registry.get(threadId);
    if (!served || !handle)
      throw new RpcError(JsonRpcErrorCode.InvalidRequest, `thread ${threadId} is not loaded: start it with thread/start or load it with thread/resume`);
    return { handle, runtime: served.runtime };
  };
  const sessionResult = (handle: ThreadHandle, turns: Turn[] | null): ThreadSessionResult => {
    const current = handle.current();
    if (!current) throw new Error(`thread ${handle.threadId} has no settings`);
    const { thread, settings } = current;
    return {
      thread: turns ? { ...thread, turns } : thread,
      model: settings.model,
      modelProvider: settings.provider.id,
      cwd: settings.cwd,
      approvalPolicy: settings.approvalPolicy,
      sandbox: sandboxPolicy(settings),
      reasoningEffort: settings.reasoningEffort,
      runtimeWorkspaceRoots: [settings.cwd],
      instructionSources: [],
      approvalsReviewer: 'user',
      serviceTier: null,
      skills: handle.skills(),
    };
  };
  const withInstructionSources = async ({ findAgentsFiles }: Runtime, result: ThreadSessionResult): Promise<ThreadSessionResult> => ({
    ...result,
    instructionSources: await findAgentsFiles(statecraftHome(options.env), result.cwd),
  });

  const connection = createConnection({
    input: options.input,
    output: options.output,
    log: options.log,
    ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
    handlers: {
      async initialize(params) {
        originator = params.clientInfo.name;
        userAgent = clientUserAgent(params.clientInfo, options.version, options.env);
        return {
          userAgent,
          codexHome: statecraftHome(options.env),
          platformFamily: platform() === 'win32' ? 'windows' : 'unix',
          platformOs: platform() === 'darwin' ? 'macos' : platform(),
        };
      },
      async 'thread/start'(params, ctx) {
        const { runtime, registry: reg, attach } = await threads();
        try {
          const handle = await reg.start(threadOverrides(runtime, params), (h) => {
            order.holdUntil(h.threadId, ctx.answered);
            attach(h);
          });
          return await withInstructionSources(runtime, sessionResult(handle, null));
        } catch (error) {
          throw asRpcError(runtime, error);
        }
      },
      async 'thread/resume'(params, ctx) {
        const { runtime, registry: reg, attach } = await threads();
        try {
          const { handle, stored } = await reg.resume(params.threadId, threadOverrides(runtime, params), (h) => {
            // The status of the thread being loaded goes out ahead of the answer, as the reference sends it.
            order.holdUntil(h.threadId, ctx.answered, (event) => event.method === 'thread/status/changed');
            attach(h);
          });
          const turns = stored ? stored.thread.turns : (await reg.read(params.threadId, true)).turns;
          return await withInstructionSources(runtime, sessionResult(handle, turns));
        } catch (error) {
          throw asRpcError(runtime, error);
        }
      },
      async 'thread/list'(params) {
        const { runtime, registry: reg } = await threads();
        try {
          return await reg.list({ cursor: params.cursor ?? null, limit: params.limit ?? null });
        } catch (error) {
          throw asRpcError(runtime, error);
        }
      },
      async 'thread/read'(params) {
        const { runtime, registry: reg } = await threads();
        try {
          return { thread: await reg.read(params.threadId, params.includeTurns ?? false) };
        } catch (error) {
          throw asRpcError(runtime, error);
        }
      },
      async 'turn/start'(params, ctx) {
        const { handle, runtime } = loaded(params.threadId);
        const { cwd, approvalPolicy, sandboxPolicy: policy, model, effort, summary } = runtime.present(params);
        const overrides: TurnOverrides = { cwd, approvalPolicy, sandboxPolicy: policy, model, effort, summary };
        order.holdUntil(handle.threadId, ctx.answered);
        try {
          return { turn: handle.startTurn(params.input, overrides) };
        } catch (error) {
          // A setting the turn cannot run with (an effort its model does not support) is a bad param; a busy thread is not.
          const mapped = asRpcError(runtime, error);
          throw mapped instanceof RpcError ? mapped : new RpcError(JsonRpcErrorCode.InvalidRequest, errorMessage(error));
        }
      },
      async 'turn/interrupt'(params, ctx) {
        const { handle } = loaded(params.threadId);
        if (handle.activeTurnId() !== params.turnId) throw new RpcError(JsonRpcErrorCode.InvalidRequest, 'no active turn to interrupt');
        order.holdUntil(handle.threadId, ctx.answered);
        handle.interrupt();
        return {};
      },
      async 'thread/compact/start'(params, ctx) {
        const { handle } = loaded(params.threadId);
        order.holdUntil(handle.threadId, ctx.answered);
        try {
          handle.compact();
          return {};
        } catch (error) {
          throw new RpcError(JsonRpcErrorCode.InvalidRequest, errorMessage(error));
        }
      },
      async 'model/list'(params, ctx) {
        const { runtime, agent } = await threads();
        let listing: ModelListing;
        try {
          listing = await agent.models(runtime.present({ modelProvider: params.modelProvider }));
        } catch (error) {
          throw asRpcError(runtime, error);
        }
        const visible = listing.models.filter((model) => params.includeHidden || !model.hidden);
        const start = params.cursor ? Number.parseInt(params.cursor, 10) : 0;
        if (!Number.isInteger(start) || start < 0 || start > visible.length) {
          throw new RpcError(JsonRpcErrorCode.InvalidParams, `cursor: invalid cursor ${JSON.stringify(params.cursor)}; pass back a nextCursor from model/list`);
        }
        const { warning } = listing;
        if (warning !== null) {
          options.log(`warning: ${warning}`);
          void ctx.answered.then(() => connection.notify('warning', { threadId: null, message: warning }));
        }
        const end = Math.min(visible.length, start + (params.limit ?? visible.length));
        return { data: visible.slice(start, end), nextCursor: end < visible.length ? String(end) : null };
      },
      async 'skills/list'(params) {
        const { agent } = await threads();
        const cwds = params.cwds?.length ? params.cwds : [process.cwd()];
        const data = await Promise.all(
          cwds.map(async (cwd) => {
            try {
              const settings = await agent.resolveSettings({ cwd });
              return { cwd: settings.cwd, ...(await agent.skills(settings.cwd, settings.projectTrusted, params.forceReload ?? false)) };
            } catch (error) {
              return { cwd, skills: [], errors: [{ path: cwd, message: errorMessage(error) }] };
            }
          }),
        );
        return { data };
      },
      async 'mcpServerStatus/list'(params) {
        const { runtime, agent } = await threads();
        // A loaded thread's connections as they are now; otherwise the configured servers, started to be asked.
        const servers = params.threadId
          ? loaded(params.threadId).handle.mcpStatus()
          : await agent.mcpStatus().catch((error: unknown) => {
              throw asRpcError(runtime, error);
            });
        const matching = params.serverName ? servers.filter((server) => server.name === params.serverName) : servers;
        const start = params.cursor ? Number.parseInt(params.cursor, 10) : 0;
        if (!Number.isInteger(start) || start < 0 || start > matching.length) {
          throw new RpcError(
            JsonRpcErrorCode.InvalidParams,
            `cursor: invalid cursor ${JSON.stringify(params.cursor)}; pass back a nextCursor from mcpServerStatus/list`,
          );
        }
        const end = Math.min(matching.length, start + (params.limit ?? matching.length));
        return { data: matching.slice(start, end), nextCursor: end < matching.length ? String(end) : null };
      },
      async 'account/read'() {
        const { runtime, agent } = await threads();
        try {
          const { provider } = await agent.resolveSettings({});
          const key = await runtime.currentApiKey(provider, agent.env, agent.home);
          return { account: key ? { type: 'apiKey' as const } : null, requiresOpenaiAuth: provider.requiresOpenaiAuth };
        } catch (error) {
          throw asRpcError(runtime, error);
        }
      },
      async 'account/login/start'(params, ctx) {
        const { runtime, agent } = await threads();
        try {
          const { provider } = await agent.resolveSettings({});
          const saved = await runtime.saveApiKey(agent.home, provider.credentialsStore, params.apiKey);
          if (saved.fallback) options.log(`warning: ${saved.fallback}`);
        } catch (error) {
          throw asRpcError(runtime, error);
        }
        void ctx.answered.then(() => connection.notify('account/updated', { authMode: 'apikey', planType: null }));
        return { type: 'apiKey' as const };
      },
      async 'account/logout'(_params, ctx) {
        const { runtime, agent } = await threads();
        let stillSignedIn: boolean;
        try {
          const { provider } = await agent.resolveSettings({});
          await runtime.deleteApiKey(agent.home, provider.credentialsStore);
          // A key from the environment still applies after the stored one is gone.
          stillSignedIn = (await runtime.currentApiKey(provider, agent.env, agent.home)) !== null;
        } catch (error) {
          throw asRpcError(runtime, error);
        }
        void ctx.answered.then(() => connection.notify('account/updated', { authMode: stillSignedIn ? 'apikey' : null, planType: null }));
        return {};
      },
      async onClose() {
        // A registry still loading is waited for: a thread it starts must be closed too.
        const current = served ?? (await loading?.catch(() => null));
        await current?.registry.closeAll();
        await inspector?.close();
      },
    },
  });
  await connection.closed;
}
