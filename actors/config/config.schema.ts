import { z } from 'zod';
import { ApprovalPolicy, ReasoningEffort, ReasoningSummary, SandboxMode } from '../../protocol/index.js';

// Strict objects everywhere: an unknown key surfaces as an issue, which the validator turns
// into a warning (a typo should be noticed, not fatal) and strips.

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
});
export type ProviderTable = z.infer<typeof ProviderTable>;

/** The keys a profile may set: everything that shapes a thread. */
export const SettingsTable = z.strictObject({
  model: z.string().min(1).optional(),
  model_provider: z.string().min(1).optional(),
  model_providers: z.record(z.string(), ProviderTable).optional(),
  model_reasoning_effort: ReasoningEffort.optional(),
  model_reasoning_summary: ReasoningSummary.optional(),
  model_context_window: z.number().int().positive().optional(),
  approval_policy: ApprovalPolicy.optional(),
  sandbox_mode: SandboxMode.optional(),
  sandbox_workspace_write: z
    .strictObject({
      writable_roots: z.array(z.string()).optional(),
      network_access: z.boolean().optional(),
    })
    .optional(),
  tools: z.strictObject({ view_image: z.boolean().optional() }).optional(),
  features: z.record(z.string(), z.boolean()).optional(),
  /** Older spelling of features.sandbox_command_assessment. */
  experimental_sandbox_command_assessment: z.boolean().optional(),
  model_instructions_file: z.string().min(1).optional(),
  developer_instructions: z.string().optional(),
  shell: z.string().min(1).optional(),
});
export type SettingsTable = z.infer<typeof SettingsTable>;

export const TrustLevel = z.enum(['trusted', 'untrusted']);
export type TrustLevel = z.infer<typeof TrustLevel>;

/** What one layer (a config.toml, a -c flag, a profile) may contain. */
export const ConfigLayerTable = SettingsTable.extend({
  profile: z.string().min(1).optional(),
  profiles: z.record(z.string(), SettingsTable).optional(),
  projects: z.record(z.string(), z.strictObject({ trust_level: TrustLevel.optional() })).optional(),
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
