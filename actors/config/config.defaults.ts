import type { ConfigLayerTable, ProviderTable } from './config.schema.js';
import { defaultModel } from './model.catalog.js';

/** Providers known without any config; a `[model_providers.<id>]` table amends or replaces keys. */
const BUILT_IN_PROVIDERS: Readonly<Record<string, ProviderTable>> = {
  openai: { name: 'OpenAI', base_url: 'https://api.openai.com/v1', wire_api: 'responses', env_key: 'OPENAI_API_KEY', requires_openai_auth: true },
  ollama: { name: 'Ollama', base_url: 'http://localhost:11434/v1', wire_api: 'chat' },
  lmstudio: { name: 'LM Studio', base_url: 'http://localhost:1234/v1', wire_api: 'chat' },
};

/** Retry and timeout limits for providers that do not set their own. */
export const PROVIDER_LIMIT_DEFAULTS = {
  request_max_retries: 4,
  stream_max_retries: 5,
  stream_idle_timeout_ms: 300_000,
} as const;

/** The lowest layer: what a user with no config file gets. */
export function defaultLayer(): ConfigLayerTable {
  return {
    model: defaultModel().model,
    model_provider: 'openai',
    model_providers: structuredClone(BUILT_IN_PROVIDERS),
    model_reasoning_summary: 'auto',
    approval_policy: 'on-request',
    sandbox_mode: 'workspace-write',
    sandbox_workspace_write: { writable_roots: [], network_access: false },
    tools: { view_image: true },
  };
}
