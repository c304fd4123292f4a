import { readFile, realpath, stat } from 'node:fs/promises';
import {
  OPENAI_PROVIDER_ID,
  type ProviderSettings,
  type ReasoningEffort,
  type ThreadOverrides,
  type ThreadSettings,
  type TurnOverrides,
} from '../../protocol/index.js';
import { PROVIDER_LIMIT_DEFAULTS } from './config.defaults.js';
import { ConfigError } from './config.error.js';
import { restack, threadLayer, type LoadedConfig } from './config.loader.js';
import type { EffectiveConfig } from './config.schema.js';
import { absolutePath } from './config.paths.js';
import { formatKeyPath } from './key.path.js';
import { findModel, unsupportedEffort } from './model.catalog.js';
import { resolveMcpServers } from './mcp.servers.js';

const THREAD_OVERRIDES = 'thread overrides';
const TURN_OVERRIDES = 'turn overrides';

/** Without model_auto_compact_token_limit, the conversation is compacted at this share of the context window. */
const AUTO_COMPACT_SHARE = 0.9;

/**
 * What a thread runs with: the loaded config, with the client's overrides on top (its
 * `config` object and profile slot in below the managed layers, so those still win).
 */
export async function resolveThreadSettings(loaded: LoadedConfig, overrides: ThreadOverrides, env: NodeJS.ProcessEnv = process.env): Promise<ThreadSettings> {
  const cwd = await resolveCwd(loaded, overrides.cwd, env);
  const thread = overrides.config ? threadLayer(overrides.config, cwd, env, []) : null;
  const effective = thread !== null || overrides.profile !== undefined ? restack(loaded, thread, overrides.profile) : loaded;
  const { config } = effective;

  const model = overrides.model ?? config.model;
  const catalogEntry = findModel(model);
  if (config.model_reasoning_effort !== undefined) {
    const modelOrigin = overrides.model !== undefined ? `${THREAD_OVERRIDES} (model)` : (effective.origins['model'] ?? 'default');
    const modelFrom = modelOrigin === 'default' ? 'the model is the built-in default' : `the model comes from ${modelOrigin}`;
    checkEffort(model, config.model_reasoning_effort, effective.origins['model_reasoning_effort'] ?? 'config', 'model_reasoning_effort', modelFrom);
  }
  const contextWindow = config.model_context_window ?? catalogEntry?.contextWindow ?? null;
  const sandboxTable = config.sandbox_workspace_write ?? {};
  // A root named through a symlink is its target: the sandbox binds directories, not links.
  const writableRoots = await Promise.all(
    [...(sandboxTable.writable_roots ?? []), ...(overrides.addDirs ?? [])].map((path) => canonical(absolutePath(path, cwd, env))),
  );
  const envPolicy = config.shell_environment_policy ?? {};

  return {
    model,
    provider: resolveProvider(effective, overrides.modelProvider),
    reasoningEffort: config.model_reasoning_effort ?? catalogEntry?.defaultReasoningEffort ?? null,
    reasoningSummary: config.model_reasoning_summary,
    verbosity: config.model_verbosity ?? null,
    webSearch: webSearchMode(config),
    outputSchema: overrides.outputSchema ?? null,
    approvalPolicy: overrides.approvalPolicy ?? config.approval_policy,
    sandboxMode: overrides.sandbox ?? config.sandbox_mode,
    writableRoots: [...new Set(writableRoots)],
    networkAccess: sandboxTable.network_access ?? false,
    excludeSlashTmp: sandboxTable.exclude_slash_tmp ?? false,
    excludeTmpdirEnvVar: sandboxTable.exclude_tmpdir_env_var ?? false,
    shellEnvironmentPolicy: {
      inherit: envPolicy.inherit ?? 'all',
      ignoreDefaultExcludes: envPolicy.ignore_default_excludes ?? false,
      exclude: envPolicy.exclude ?? [],
      set: envPolicy.set ?? {},
      includeOnly: envPolicy.include_only ?? [],
    },
    cwd,
    shell: config.shell ?? env['SHELL'] ?? '/bin/bash',
    tools: { viewImage: config.tools?.view_image ?? true },
    features: {
      ...(config.experimental_sandbox_command_assessment !== undefined ? { sandbox_command_assessment: config.experimental_sandbox_command_assessment } : {}),
      ...config.features,
    },
    baseInstructions: overrides.baseInstructions ?? (await readInstructions(effective)),
    developerInstructions: overrides.developerInstructions ?? config.developer_instructions ?? null,
    modelContextWindow: contextWindow,
    autoCompactTokenLimit: config.model_auto_compact_token_limit ?? (contextWindow !== null ? Math.floor(contextWindow * AUTO_COMPACT_SHARE) : null),
    compactPrompt: config.compact_prompt ?? null,
    projectTrusted: effective.projectTrusted,
    ephemeral: overrides.ephemeral ?? false,
    mcpServers: resolveMcpServers(effective, cwd, env),
    trace: config.trace ?? false,
  };
}

/**
 * Turn overrides as the session applies them: an effort the turn's model does not support is
 * refused, and a turn that switches to a catalog model without naming an effort gets that
 * model's default when the thread's effort does not suit it.
 */
export function resolveTurnOverrides(settings: ThreadSettings, overrides: TurnOverrides): TurnOverrides {
  const model = overrides.model ?? settings.model;
  if (overrides.effort) {
    const modelFrom = overrides.model !== undefined ? `the model comes from ${TURN_OVERRIDES} (model)` : "the model is the thread's";
    checkEffort(model, overrides.effort, TURN_OVERRIDES, 'effort', modelFrom);
    return overrides;
  }
  const entry = overrides.model === undefined || overrides.effort === null ? undefined : findModel(model);
  if (entry && settings.reasoningEffort !== null && unsupportedEffort(model, settings.reasoningEffort) !== null) {
    return { ...overrides, effort: entry.defaultReasoningEffort };
  }
  return overrides;
}

/** Refuses an effort the (catalog) model does not support, naming where each came from and what to choose instead. */
function checkEffort(model: string, effort: ReasoningEffort, source: string, key: string, modelFrom: string): void {
  const problem = unsupportedEffort(model, effort);
  if (problem === null) return;
  throw new ConfigError(
    'effort',
    source,
    key,
    `${problem}; ${modelFrom}. Set ${key} to one of the supported efforts, or leave it unset to use the model's default.`,
  );
}

/**
 * Web search as configured: `web_search` (a mode, or true/false), else the older switches
 * `tools.web_search` (live) and `features.web_search_request` / `features.web_search_cached`.
 * Off unless asked for: a hosted tool sent to a provider that lacks it fails the request.
 */
function webSearchMode(config: EffectiveConfig): ThreadSettings['webSearch'] {
  const mode = config.web_search;
  if (mode === true) return 'live';
  if (mode === false) return 'disabled';
  if (mode !== undefined) return mode === 'indexed' ? 'cached' : mode;
  if (config.tools?.web_search !== undefined) return config.tools.web_search ? 'live' : 'disabled';
  if (config.features?.['web_search_request'] === true) return 'live';
  if (config.features?.['web_search_cached'] === true) return 'cached';
  return 'disabled';
}

/** The real path of an existing directory; a missing one stays as named (the sandbox never binds it). */
const canonical = (path: string): Promise<string> => realpath(path).catch(() => path);

async function resolveCwd(loaded: LoadedConfig, requested: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  const cwd = requested === undefined ? loaded.cwd : absolutePath(requested, loaded.cwd, env);
  const info = await stat(cwd).catch(() => null);
  if (info?.isDirectory()) return cwd;
  const why = info ? 'is not a directory' : 'does not exist';
  throw new ConfigError('cwd', cwd, null, `the working directory ${why}; start the thread in an existing directory`);
}

function resolveProvider(loaded: LoadedConfig, requested: string | undefined): ProviderSettings {
  const { config, origins } = loaded;
  const id = requested ?? config.model_provider;
  const source = requested === undefined ? (origins['model_provider'] ?? 'config') : THREAD_OVERRIDES;
  const table = config.model_providers[id];
  if (table === undefined) {
    const known = Object.keys(config.model_providers).sort().join(', ');
    throw new ConfigError(
      'provider',
      source,
      'model_provider',
      `unknown provider "${id}"; known providers: ${known} (or define [model_providers.${formatKeyPath([id])}])`,
    );
  }
  if (table.base_url === undefined) {
    const prefix = formatKeyPath(['model_providers', id]);
    const definedIn = Object.entries(origins).find(([key]) => key.startsWith(`${prefix}.`))?.[1] ?? source;
    throw new ConfigError('provider', definedIn, `${prefix}.base_url`, 'required: the URL requests go to, e.g. "http://localhost:8080/v1"');
  }
  return {
    id,
    name: table.name ?? id,
    baseUrl: id === OPENAI_PROVIDER_ID && config.openai_base_url !== undefined ? config.openai_base_url : table.base_url,
    wireApi: table.wire_api ?? 'responses',
    envKey: table.env_key ?? null,
    httpHeaders: table.http_headers ?? {},
    envHttpHeaders: table.env_http_headers ?? {},
    queryParams: table.query_params ?? {},
    requestMaxRetries: table.request_max_retries ?? PROVIDER_LIMIT_DEFAULTS.request_max_retries,
    streamMaxRetries: table.stream_max_retries ?? PROVIDER_LIMIT_DEFAULTS.stream_max_retries,
    streamIdleTimeoutMs: table.stream_idle_timeout_ms ?? PROVIDER_LIMIT_DEFAULTS.stream_idle_timeout_ms,
    requiresOpenaiAuth: table.requires_openai_auth ?? false,
    credentialsStore: config.cli_auth_credentials_store ?? 'auto',
  };
}

/** The instructions file replaces the built-in instructions; its path was made absolute when its layer loaded. */
async function readInstructions(loaded: LoadedConfig): Promise<string | null> {
  const file = loaded.config.model_instructions_file;
  if (file === undefined) return null;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const source = loaded.origins['model_instructions_file'] ?? 'config';
    throw new ConfigError('instructions', source, 'model_instructions_file', `cannot read ${file}: ${(error as Error).message}`);
  }
}
