import { OPENAI_PROVIDER_ID, type ProviderSettings } from '../../protocol/settings.schema.js';
import type { TurnError } from '../../protocol/thread.schema.js';
import { errorMessage } from '../../protocol/text.js';
import { CODEX_API_KEY, envApiKey, loadApiKey } from '../auth/index.js';
import { turnError } from './request.js';

/** Sent as the `originator` header so providers can tell which client called. */
const ORIGINATOR = 'statecraft';
/** Set by the Codex SDK (to `codex_sdk_ts`) to name itself as the client instead. */
const ORIGINATOR_OVERRIDE = 'CODEX_INTERNAL_ORIGINATOR_OVERRIDE';

/** The endpoint URL: base URL + wire path, with the provider's query parameters. */
export function endpointUrl(provider: ProviderSettings, path: string): URL {
  const url = new URL(provider.baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(provider.queryParams)) url.searchParams.set(key, value);
  return url;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

export type Credentials = { apiKey: string | null } | { error: TurnError };

const nonEmpty = (value: string | undefined): string | null => (value !== undefined && value.trim() !== '' ? value.trim() : null);

/**
 * The API key for a request: the environment's (which wins), else the one `statecraft login`
 * stored, for providers that take it. A missing key is an error, except for servers on this
 * machine (local models and the scripted server need none).
 */
function resolveCredentials(provider: ProviderSettings, env: NodeJS.ProcessEnv, storedKey: string | null = null): Credentials {
  const key = envApiKey(provider, env)?.apiKey ?? (provider.requiresOpenaiAuth ? storedKey : null);
  if (key !== null) return { apiKey: key };
  if (!provider.envKey) return { apiKey: null };
  let host = '';
  try {
    host = new URL(provider.baseUrl).hostname;
  } catch {
    // an unparsable base URL is reported when the request is built
  }
  if (isLoopback(host)) return { apiKey: null };
  return {
    error: turnError(
      `The model provider "${provider.name}" needs an API key in the environment variable ${provider.envKey}` +
        `${provider.id === OPENAI_PROVIDER_ID ? ` (or ${CODEX_API_KEY})` : ''}, which is not set` +
        `${provider.requiresOpenaiAuth ? ', and no key is stored' : ''}. ` +
        `Set it (export ${provider.envKey}=...)${provider.requiresOpenaiAuth ? ', store one with `statecraft login --with-api-key`,' : ''} or change model_providers.${provider.id}.env_key in config.toml.`,
      'unauthorized',
    ),
  };
}

/**
 * The credentials a request to `provider` carries, reading the stored key (from `home`) when the
 * environment has none and the provider takes one; a key that cannot be read is an error.
 */
export async function loadCredentials(provider: ProviderSettings, env: NodeJS.ProcessEnv, home: string | undefined): Promise<Credentials> {
  let storedKey: string | null = null;
  if (home !== undefined && provider.requiresOpenaiAuth && envApiKey(provider, env) === null) {
    try {
      storedKey = (await loadApiKey(home, provider.credentialsStore))?.apiKey ?? null;
    } catch (error) {
      return { error: turnError(`cannot read the stored API key: ${errorMessage(error)}`, 'unauthorized') };
    }
  }
  return resolveCredentials(provider, env, storedKey);
}

/** Request headers: JSON in, SSE out, auth, session, the client's user agent, and the provider's own headers. */
export function requestHeaders(
  provider: ProviderSettings,
  env: NodeJS.ProcessEnv,
  apiKey: string | null,
  threadId: string,
  userAgent?: string,
): Record<string, string> {
  return withProviderHeaders(provider, env, apiKey, { 'content-type': 'application/json', accept: 'text/event-stream', session_id: threadId }, userAgent);
}

/** The headers every request to a provider carries, on top of `own`: who calls, the API key, and the provider's own headers (which win). */
export function withProviderHeaders(
  provider: ProviderSettings,
  env: NodeJS.ProcessEnv,
  apiKey: string | null,
  own: Record<string, string>,
  userAgent?: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...own,
    originator: nonEmpty(env[ORIGINATOR_OVERRIDE]) ?? ORIGINATOR,
    ...(userAgent ? { 'user-agent': userAgent } : {}),
  };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  for (const [name, value] of Object.entries(provider.httpHeaders)) headers[name.toLowerCase()] = value;
  for (const [name, variable] of Object.entries(provider.envHttpHeaders)) {
    const value = env[variable];
    if (value !== undefined && value !== '') headers[name.toLowerCase()] = value;
  }
  return headers;
}
