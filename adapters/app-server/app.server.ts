import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import {
  AmbiguousThreadIdError,
  ConfigError,
  ThreadRegistry,
  UnknownThreadError,
  createRuntime,
  CredentialsError,
  currentApiKey,
  deleteApiKey,
  KeyringUnavailableError,
  saveApiKey,
  findAgentsFiles,
  modelCatalog,
  present,
  statecraftHome,
  type Runtime,
  type ThreadHandle,
} from '../../actors/runtime/index.js';
import {
  errorMessage,
  JsonRpcErrorCode,
  ModelInfo,
  type ClientRequestParams,
  type ProtocolEvent,
  type SandboxPolicy,
  type ThreadOverrides,
  type ThreadSessionResult,
  type ThreadSettings,
  type Turn,
  type TurnOverrides,
} from '../../protocol/index.js';
import { ApprovalBridge, forwardEvent } from './approvals.bridge.js';
import { createConnection } from './connection.js';
import { RpcError } from './errors.js';
import { ResponseGates } from './response.order.js';

export interface AppServerOptions {
  input: Readable;
  output: Writable;
  env: NodeJS.ProcessEnv;
  version: string;
  log: (line: string) => void;
  maxLineBytes?: number;
}

/** The operating system as user agents name it, e.g. "Debian 12.0.0". */
function osDescription(): string {
  try {
    const release = Object.fromEntries<string | undefined>(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .map((line) => /^(\w+)="?([^"]*)"?$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1]!, match[2]]),
    );
    if (release.NAME) {
      const name = release.NAME.replace(/ GNU\/Linux$/, '');
      const version = release.VERSION_ID ? release.VERSION_ID.split('.').concat(['0', '0']).slice(0, 3).join('.') : '';
      return version ? `${name} ${version}` : name;
    }
  } catch {
    // not Linux, or no os-release: fall through to what Node knows
  }
  return `${platform()} ${release()}`;
}

const archName = () => ({ x64: 'x86_64', arm64: 'aarch64' })[arch() as 'x64' | 'arm64'] ?? arch();

const threadOverrides = (params: ClientRequestParams<'thread/start'>): ThreadOverrides => {
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

/** Errors a client caused get a client error code; the rest stay internal. */
function asRpcError(error: unknown): unknown {
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
  let registry: ThreadRegistry | null = null;
  let runtime: Runtime | null = null;

  /**
   * Each thread's events go to the client in order, but the events a request causes
   * (thread/started, turn/started, ...) follow that request's answer.
   */
  const order = new ResponseGates<ProtocolEvent>();
  const attach = (handle: ThreadHandle) => {
    order.ordered(handle.threadId, handle.events$).subscribe((event) => forwardEvent(connection, approvals, handle.threadId, event));
  };

  const initialized = () => {
    if (!runtime) throw new RpcError(JsonRpcErrorCode.InvalidRequest, 'Not initialized');
    return runtime;
  };
  const threads = () => {
    if (!registry) throw new RpcError(JsonRpcErrorCode.InvalidRequest, 'Not initialized');
    return registry;
  };
  const loaded = (threadId: string) => {
    const handle = threads().get(threadId);
    if (!handle)
      throw new RpcError(JsonRpcErrorCode.InvalidRequest, `thread ${threadId} is not loaded: start it with thread/start or load it with thread/resume`);
    return handle;
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
  const withInstructionSources = async (result: ThreadSessionResult, home: string): Promise<ThreadSessionResult> => ({
    ...result,
    instructionSources: await findAgentsFiles(home, result.cwd),
  });

  const connection = createConnection({
    input: options.input,
    output: options.output,
    log: options.log,
    ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
    handlers: {
      async initialize(params) {
        runtime = await createRuntime({
          env: options.env,
          cwd: process.cwd(),
          source: 'vscode',
          originator: params.clientInfo.name,
          cliVersion: options.version,
          onWarning: (message) => options.log(`warning: ${message}`),
        });
        registry = new ThreadRegistry(runtime);
        const terminal = options.env.TERM_PROGRAM ?? options.env.TERM ?? 'unknown';
        return {
          userAgent: `${params.clientInfo.name}/${options.version} (${osDescription()}; ${archName()}) ${terminal} (${params.clientInfo.name}; ${params.clientInfo.version})`,
          codexHome: statecraftHome(options.env),
          platformFamily: platform() === 'win32' ? 'windows' : 'unix',
          platformOs: platform() === 'darwin' ? 'macos' : platform(),
        };
      },
      async 'thread/start'(params, ctx) {
        const reg = threads();
        try {
          const handle = await reg.start(threadOverrides(params), (h) => {
            order.holdUntil(h.threadId, ctx.answered);
            attach(h);
          });
          return await withInstructionSources(sessionResult(handle, null), statecraftHome(options.env));
        } catch (error) {
          throw asRpcError(error);
        }
      },
      async 'thread/resume'(params, ctx) {
        const reg = threads();
        try {
          const { handle, stored } = await reg.resume(params.threadId, threadOverrides(params), (h) => {
            // The status of the thread being loaded goes out ahead of the answer, as the reference sends it.
            order.holdUntil(h.threadId, ctx.answered, (event) => event.method === 'thread/status/changed');
            attach(h);
          });
          const turns = stored ? stored.thread.turns : (await reg.read(params.threadId, true)).turns;
          return await withInstructionSources(sessionResult(handle, turns), statecraftHome(options.env));
        } catch (error) {
          throw asRpcError(error);
        }
      },
      async 'thread/list'(params) {
        try {
          return await threads().list({ cursor: params.cursor ?? null, limit: params.limit ?? null });
        } catch (error) {
          throw asRpcError(error);
        }
      },
      async 'thread/read'(params) {
        try {
          return { thread: await threads().read(params.threadId, params.includeTurns ?? false) };
        } catch (error) {
          throw asRpcError(error);
        }
      },
      async 'turn/start'(params, ctx) {
        const handle = loaded(params.threadId);
        const { cwd, approvalPolicy, sandboxPolicy: policy, model, effort, summary } = present(params);
        const overrides: TurnOverrides = { cwd, approvalPolicy, sandboxPolicy: policy, model, effort, summary };
        order.holdUntil(handle.threadId, ctx.answered);
        try {
          return { turn: handle.startTurn(params.input, overrides) };
        } catch (error) {
          throw new RpcError(JsonRpcErrorCode.InvalidRequest, errorMessage(error));
        }
      },
      async 'turn/interrupt'(params, ctx) {
        const handle = loaded(params.threadId);
        if (handle.activeTurnId() !== params.turnId) throw new RpcError(JsonRpcErrorCode.InvalidRequest, 'no active turn to interrupt');
        order.holdUntil(handle.threadId, ctx.answered);
        handle.interrupt();
        return {};
      },
      async 'model/list'(params) {
        const visible = modelCatalog().filter((model) => params.includeHidden || !model.hidden);
        const start = params.cursor ? Number.parseInt(params.cursor, 10) : 0;
        if (!Number.isInteger(start) || start < 0 || start > visible.length) {
          throw new RpcError(JsonRpcErrorCode.InvalidParams, `cursor: invalid cursor ${JSON.stringify(params.cursor)}; pass back a nextCursor from model/list`);
        }
        const end = Math.min(visible.length, start + (params.limit ?? visible.length));
        return { data: visible.slice(start, end).map((model) => ModelInfo.parse(model)), nextCursor: end < visible.length ? String(end) : null };
      },
      async 'skills/list'(params) {
        const rt = initialized();
        const cwds = params.cwds?.length ? params.cwds : [process.cwd()];
        const data = await Promise.all(
          cwds.map(async (cwd) => {
            try {
              const settings = await rt.resolveSettings({ cwd });
              return { cwd: settings.cwd, ...(await rt.skills(settings.cwd, settings.projectTrusted, params.forceReload ?? false)) };
            } catch (error) {
              return { cwd, skills: [], errors: [{ path: cwd, message: errorMessage(error) }] };
            }
          }),
        );
        return { data };
      },
      async 'account/read'() {
        const rt = initialized();
        try {
          const { provider } = await rt.resolveSettings({});
          const key = await currentApiKey(provider, rt.env, rt.home);
          return { account: key ? { type: 'apiKey' as const } : null, requiresOpenaiAuth: provider.requiresOpenaiAuth };
        } catch (error) {
          throw asRpcError(error);
        }
      },
      async 'account/login/start'(params, ctx) {
        const rt = initialized();
        try {
          const { provider } = await rt.resolveSettings({});
          const saved = await saveApiKey(rt.home, provider.credentialsStore, params.apiKey);
          if (saved.fallback) options.log(`warning: ${saved.fallback}`);
        } catch (error) {
          throw asRpcError(error);
        }
        void ctx.answered.then(() => connection.notify('account/updated', { authMode: 'apikey', planType: null }));
        return { type: 'apiKey' as const };
      },
      async 'account/logout'(_params, ctx) {
        const rt = initialized();
        let stillSignedIn: boolean;
        try {
          const { provider } = await rt.resolveSettings({});
          await deleteApiKey(rt.home, provider.credentialsStore);
          // A key from the environment still applies after the stored one is gone.
          stillSignedIn = (await currentApiKey(provider, rt.env, rt.home)) !== null;
        } catch (error) {
          throw asRpcError(error);
        }
        void ctx.answered.then(() => connection.notify('account/updated', { authMode: stillSignedIn ? 'apikey' : null, planType: null }));
        return {};
      },
      async onClose() {
        await registry?.closeAll();
      },
    },
  });
  const approvals = new ApprovalBridge(connection, (threadId, approvalId, decision) => registry?.get(threadId)?.decide(approvalId, decision), options.log);
  await connection.closed;
}
