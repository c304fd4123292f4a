import * as z from 'zod';
import { ApprovalPolicy, CredentialsStoreMode, ReasoningEffort, ReasoningSummary, SandboxMode, Verbosity, WebSearchMode } from '../../protocol/index.js';

// Strict objects everywhere: an unknown key surfaces as an issue, which the validator turns
// into a warning (a typo should be noticed, not fatal) and strips, or, in STRICT_TABLES, an error.

const StringMap = z.record(z.string(), z.string());

/** One `[model_providers.<id>]` table. Every key is optional so layers can amend a provider. */
export const ProviderTable = z.strictObject({
  name: z.string().optional(),
  base_url: z.string().min(1).optional(),
  wire_api: z.enum(['responses', 'chat']).optional(),
  env_key: z.string().min(1).optional(),
  http_headers: StringMap.optional(),
  env_http_headers: StringMap.optional(),
  query_params: StringMap.optional(),
  request_max_retries: z.number().int().min(0).optional(),
  stream_max_retries: z.number().int().min(0).optional(),
  stream_idle_timeout_ms: z.number().int().positive().optional(),
  /** Use the key `statecraft login` stored when `env_key` is not set (true for the built-in OpenAI provider). */
  requires_openai_auth: z.boolean().optional(),
});
export type ProviderTable = z.infer<typeof ProviderTable>;

/** `[sandbox_workspace_write]`; its keys are checked strictly (see STRICT_TABLES). */
const SandboxWorkspaceWriteTable = z.strictObject({
  writable_roots: z.array(z.string()).optional(),
  network_access: z.boolean().optional(),
  exclude_slash_tmp: z.boolean().optional(),
  exclude_tmpdir_env_var: z.boolean().optional(),
});

/** `[shell_environment_policy]`, with Codex's keys and meaning. */
const ShellEnvironmentPolicyTable = z.strictObject({
  inherit: z.enum(['all', 'core', 'none']).optional(),
  ignore_default_excludes: z.boolean().optional(),
  exclude: z.array(z.string()).optional(),
  set: StringMap.optional(),
  include_only: z.array(z.string()).optional(),
});

/** One `[mcp_servers.<name>]`, with Codex's keys: `command` (stdio) or `url` (streamable HTTP). */
export const McpServerTable = z.strictObject({
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: StringMap.optional(),
  cwd: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  bearer_token_env_var: z.string().min(1).optional(),
  http_headers: StringMap.optional(),
  env_http_headers: StringMap.optional(),
  enabled: z.boolean().optional(),
  required: z.boolean().optional(),
  startup_timeout_sec: z.number().positive().optional(),
  tool_timeout_sec: z.number().positive().optional(),
  enabled_tools: z.array(z.string()).optional(),
  disabled_tools: z.array(z.string()).optional(),
});
export type McpServerTable = z.infer<typeof McpServerTable>;

/**
 * Tables where an unknown key is an error rather than a warning: a misspelt sandbox or
 * environment setting would otherwise leave commands less confined than the user meant.
 */
export const STRICT_TABLES: Record<string, z.ZodObject> = {
  sandbox_workspace_write: SandboxWorkspaceWriteTable,
  shell_environment_policy: ShellEnvironmentPolicyTable,
};

/** The keys a profile may set: everything that shapes a thread. */
const SettingsTable = z.strictObject({
  model: z.string().min(1).optional(),
  model_provider: z.string().min(1).optional(),
  model_providers: z.record(z.string(), ProviderTable).optional(),
  model_reasoning_effort: ReasoningEffort.optional(),
  model_reasoning_summary: ReasoningSummary.optional(),
  model_verbosity: Verbosity.optional(),
  /** The built-in OpenAI provider's base URL (Codex's key; the SDK's `baseUrl` sets it). */
  openai_base_url: z.string().min(1).optional(),
  /** A mode, or the older true (live) / false (disabled). */
  web_search: z.union([WebSearchMode, z.boolean()]).optional(),
  model_context_window: z.number().int().positive().optional(),
  /** Compact the conversation before a request would pass this many tokens (default: 90% of the context window). */
  model_auto_compact_token_limit: z.number().int().positive().optional(),
  /** What the model is asked when it writes the summary a compaction keeps. */
  compact_prompt: z.string().min(1).optional(),
  approval_policy: ApprovalPolicy.optional(),
  sandbox_mode: SandboxMode.optional(),
  sandbox_workspace_write: SandboxWorkspaceWriteTable.optional(),
  shell_environment_policy: ShellEnvironmentPolicyTable.optional(),
  /** `web_search` here is the older switch for live web search. */
  tools: z.strictObject({ view_image: z.boolean().optional(), web_search: z.boolean().optional() }).optional(),
  features: z.record(z.string(), z.boolean()).optional(),
  /** Older spelling of features.sandbox_command_assessment. */
  experimental_sandbox_command_assessment: z.boolean().optional(),
  model_instructions_file: z.string().min(1).optional(),
  developer_instructions: z.string().optional(),
  shell: z.string().min(1).optional(),
  /** Write each thread's state-machine trace beside its rollout, for `statecraft inspect`. */
  trace: z.boolean().optional(),
});
type SettingsTable = z.infer<typeof SettingsTable>;

const TrustLevel = z.enum(['trusted', 'untrusted']);
type TrustLevel = z.infer<typeof TrustLevel>;

/** What one layer (a config.toml, a -c flag, a profile) may contain. */
export const ConfigLayerTable = SettingsTable.extend({
  profile: z.string().min(1).optional(),
  profiles: z.record(z.string(), SettingsTable).optional(),
  /** Where `statecraft login` stores the API key (default auto: the OS keyring when it works, else auth.json). */
  cli_auth_credentials_store: CredentialsStoreMode.optional(),
  projects: z.record(z.string(), z.strictObject({ trust_level: TrustLevel.optional() })).optional(),
  mcp_servers: z.record(z.string(), McpServerTable).optional(),
});
export type ConfigLayerTable = z.infer<typeof ConfigLayerTable>;

/** The merged configuration: the built-in defaults guarantee these keys. */
export const EffectiveConfig = ConfigLayerTable.extend({
  model: z.string().min(1),
  model_provider: z.string().min(1),
  model_providers: z.record(z.string(), ProviderTable),
  model_reasoning_summary: ReasoningSummary,
  approval_policy: ApprovalPolicy,
  sandbox_mode: SandboxMode,
});
export type EffectiveConfig = z.infer<typeof EffectiveConfig>;
