import * as z from 'zod';
import { ApprovalPolicy, ReasoningEffort, ReasoningSummary, SandboxMode, Verbosity } from './common.schema.js';

/** The built-in OpenAI provider's id: `openai_base_url` and CODEX_API_KEY concern it alone. */
export const OPENAI_PROVIDER_ID = 'openai';

/** Where `statecraft login` keeps an API key: `<home>/auth.json`, the OS keyring, or the keyring when it works and the file otherwise. */
export const CredentialsStoreMode = z.enum(['file', 'keyring', 'auto']);
export type CredentialsStoreMode = z.infer<typeof CredentialsStoreMode>;

/** A model provider after config resolution: where requests go and how they are retried. */
export const ProviderSettings = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  wireApi: z.enum(['responses', 'chat']),
  envKey: z.string().nullable(),
  httpHeaders: z.record(z.string(), z.string()),
  envHttpHeaders: z.record(z.string(), z.string()),
  queryParams: z.record(z.string(), z.string()),
  requestMaxRetries: z.number().int().min(0),
  streamMaxRetries: z.number().int().min(0),
  streamIdleTimeoutMs: z.number().int().positive(),
  /** Whether the key stored by `statecraft login` is sent when `envKey` is not set (the OpenAI provider's way). */
  requiresOpenaiAuth: z.boolean(),
  /** Where stored keys are looked up (`cli_auth_credentials_store`). */
  credentialsStore: CredentialsStoreMode,
});
export type ProviderSettings = z.infer<typeof ProviderSettings>;

/**
 * How a command's environment is built from statecraft's own (Codex's
 * `[shell_environment_policy]`): start from all, the core variables or nothing, drop names
 * matching *KEY*, *SECRET* or *TOKEN* unless told not to, drop `exclude`, add `set`, then keep
 * only `includeOnly` when given. Patterns are globs matched case-insensitively.
 */
export const ShellEnvironmentPolicy = z.object({
  inherit: z.enum(['all', 'core', 'none']),
  ignoreDefaultExcludes: z.boolean(),
  exclude: z.array(z.string()),
  set: z.record(z.string(), z.string()),
  includeOnly: z.array(z.string()),
});
export type ShellEnvironmentPolicy = z.infer<typeof ShellEnvironmentPolicy>;

const Headers = z.record(z.string(), z.string());

/** How statecraft reaches one MCP server: a process it starts (stdio) or a URL (streamable HTTP). */
const McpTransport = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stdio'), command: z.string(), args: z.array(z.string()), env: Headers, cwd: z.string().nullable() }),
  z.object({
    type: z.literal('streamableHttp'),
    url: z.string(),
    /** The variable holding the bearer token sent as `Authorization`. */
    bearerTokenEnvVar: z.string().nullable(),
    httpHeaders: Headers,
    /** Header name → the variable holding its value. */
    envHttpHeaders: Headers,
  }),
]);

/** One enabled `[mcp_servers.<name>]`, resolved. */
export const McpServerSettings = z.object({
  name: z.string(),
  transport: McpTransport,
  /** The thread fails to start when this server cannot. */
  required: z.boolean(),
  startupTimeoutMs: z.number().int().positive(),
  toolTimeoutMs: z.number().int().positive(),
  /** Only these tools are offered (null: all of them). */
  enabledTools: z.array(z.string()).nullable(),
  disabledTools: z.array(z.string()),
});
export type McpServerSettings = z.infer<typeof McpServerSettings>;

/** Everything a thread runs with, after config layers and client overrides are applied. */
export const ThreadSettings = z.object({
  model: z.string(),
  provider: ProviderSettings,
  reasoningEffort: ReasoningEffort.nullable(),
  reasoningSummary: ReasoningSummary,
  /** Sent as `text.verbosity` when set. */
  verbosity: Verbosity.nullable(),
  /** The hosted web search offered to the model: off, from the provider's index, or live. */
  webSearch: z.enum(['disabled', 'cached', 'live']),
  /** The JSON Schema the final answer must follow, for this run only (see ThreadOverrides). */
  outputSchema: z.record(z.string(), z.unknown()).nullable(),
  approvalPolicy: ApprovalPolicy,
  sandboxMode: SandboxMode,
  /** Writable roots besides the cwd (config and --add-dir). */
  writableRoots: z.array(z.string()),
  networkAccess: z.boolean(),
  /** Leave /tmp, or the directory named by $TMPDIR, out of the writable roots. */
  excludeSlashTmp: z.boolean(),
  excludeTmpdirEnvVar: z.boolean(),
  shellEnvironmentPolicy: ShellEnvironmentPolicy,
  cwd: z.string(),
  /** The shell commands run in, e.g. /bin/bash. */
  shell: z.string(),
  tools: z.object({ viewImage: z.boolean() }),
  features: z.record(z.string(), z.boolean()),
  /** Replaces the built-in instructions when set (model_instructions_file / baseInstructions). */
  baseInstructions: z.string().nullable(),
  developerInstructions: z.string().nullable(),
  modelContextWindow: z.number().int().nullable(),
  /** The conversation is compacted before a request would pass this many tokens; never when null (no known window). */
  autoCompactTokenLimit: z.number().int().nullable(),
  /** Replaces the built-in request for a handoff summary when set. */
  compactPrompt: z.string().nullable(),
  projectTrusted: z.boolean(),
  ephemeral: z.boolean(),
  /** The enabled MCP servers whose tools the model is offered (absent: none). */
  mcpServers: z.array(McpServerSettings).optional(),
  /** Record the thread's machine transitions in a trace file beside its rollout (`trace = true`, `--trace`). */
  trace: z.boolean(),
});
export type ThreadSettings = z.infer<typeof ThreadSettings>;

/** A tool as offered to the model (Responses API shape; the chat client converts it). */
export const ToolSpec = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('function'),
    name: z.string(),
    description: z.string(),
    strict: z.boolean(),
    parameters: z.record(z.string(), z.unknown()),
  }),
  z.object({
    type: z.literal('custom'),
    name: z.string(),
    description: z.string(),
    format: z.object({ type: z.literal('grammar'), syntax: z.enum(['lark', 'regex']), definition: z.string() }),
  }),
  /** The Responses API's hosted web search; the provider runs it, the turn only reports it. */
  z.object({
    type: z.literal('web_search'),
    external_web_access: z.boolean(),
    search_content_types: z.array(z.enum(['text', 'image'])),
  }),
]);
export type ToolSpec = z.infer<typeof ToolSpec>;
