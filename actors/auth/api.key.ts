import { OPENAI_PROVIDER_ID, type ProviderSettings } from '../../protocol/index.js';
import { loadApiKey, type StoreKind } from './credentials.store.js';

/** Codex's own API-key variable: the built-in OpenAI provider falls back to it (the SDK's `apiKey` sets it). */
export const CODEX_API_KEY = 'CODEX_API_KEY';

const nonEmpty = (value: string | undefined): string | null => (value !== undefined && value.trim() !== '' ? value.trim() : null);

/** The environment's key for a provider and the variable it came from: env_key, for the built-in OpenAI provider else CODEX_API_KEY. */
export function envApiKey(provider: ProviderSettings, env: NodeJS.ProcessEnv): { apiKey: string; variable: string } | null {
  if (!provider.envKey) return null;
  const own = nonEmpty(env[provider.envKey]);
  if (own !== null) return { apiKey: own, variable: provider.envKey };
  const codex = provider.id === OPENAI_PROVIDER_ID ? nonEmpty(env[CODEX_API_KEY]) : null;
  return codex === null ? null : { apiKey: codex, variable: CODEX_API_KEY };
}

/** Where the key a provider's requests would carry comes from. */
type KeySource = { kind: 'env'; variable: string } | { kind: StoreKind };

/** The key a provider's requests carry now, and its source: the environment wins over the stored key (for providers that take one). */
export async function currentApiKey(provider: ProviderSettings, env: NodeJS.ProcessEnv, home: string): Promise<{ apiKey: string; source: KeySource } | null> {
  const fromEnv = envApiKey(provider, env);
  if (fromEnv) return { apiKey: fromEnv.apiKey, source: { kind: 'env', variable: fromEnv.variable } };
  if (!provider.requiresOpenaiAuth) return null;
  const stored = await loadApiKey(home, provider.credentialsStore);
  return stored ? { apiKey: stored.apiKey, source: { kind: stored.storedIn } } : null;
}
