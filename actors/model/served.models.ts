import { text } from 'node:stream/consumers';
import * as z from 'zod';
import type { ProviderSettings } from '../../protocol/settings.schema.js';
import { errorMessage } from '../../protocol/text.js';
import { describeError, parseErrorBody } from './errors.js';
import { endpointUrl, loadCredentials, withProviderHeaders } from './http.js';
import { send } from './post.js';
import { IdleTimeoutError, withIdleTimeout } from './sse.js';

/** One model an OpenAI-compatible server lists at `GET /models`. */
export interface ServedModel {
  id: string;
  /** Who the server says owns it (`owned_by`): "library" on Ollama, "organization_owner" on LM Studio. */
  ownedBy: string | null;
}

/** How long a provider has to answer the list before it counts as unreachable. */
const LIST_TIMEOUT_MS = 4_000;

/** The bytes of an answer read at most; a model list is a few KiB. */
const MAX_BODY_CHARS = 4 * 1024 * 1024;

/** `{object: "list", data: [{id, object: "model", created, owned_by}]}`; servers add fields of their own, and some leave out all but `id`. */
const ModelListBody = z.object({
  data: z.array(z.object({ id: z.string().min(1), owned_by: z.string().nullish() })),
});

export interface ListOptions {
  env: NodeJS.ProcessEnv;
  /** Where a stored API key is read from. */
  home?: string;
  userAgent?: string;
  timeoutMs?: number;
}

/**
 * The models `provider` serves, from `GET {base_url}/models` with the headers and API key its
 * model requests carry. Throws an Error saying what went wrong (no key, unreachable, an HTTP
 * error, an answer that is not a model list), for callers to report and fall back on.
 */
export async function fetchServedModels(provider: ProviderSettings, options: ListOptions): Promise<ServedModel[]> {
  const credentials = await loadCredentials(provider, options.env, options.home);
  if ('error' in credentials) throw new Error(credentials.error.message);
  let url: URL;
  try {
    url = endpointUrl(provider, '/models');
  } catch {
    throw new Error(`its base URL is not a valid URL: ${provider.baseUrl}`);
  }
  const headers = withProviderHeaders(provider, options.env, credentials.apiKey, { accept: 'application/json' }, options.userAgent);
  const timeoutMs = options.timeoutMs ?? LIST_TIMEOUT_MS;
  const controller = new AbortController();
  let body: string;
  let status: number;
  try {
    const answer = await withIdleTimeout(send(url, headers, null, controller.signal), timeoutMs);
    status = answer.status;
    body = await withIdleTimeout(text(answer.body), timeoutMs);
  } catch (error) {
    throw new Error(
      error instanceof IdleTimeoutError ? `GET ${url.href} did not answer within ${timeoutMs} ms` : `could not reach ${url.href}: ${describeError(error)}`,
    );
  } finally {
    controller.abort();
  }
  if (status < 200 || status > 299) throw new Error(`GET ${url.href} answered HTTP ${status}: ${excerpt(parseErrorBody(body).message ?? body)}`);
  if (body.length > MAX_BODY_CHARS) throw new Error(`GET ${url.href} answered more than ${MAX_BODY_CHARS} characters, which is no model list`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`GET ${url.href} answered something that is not JSON (${errorMessage(error)}): ${excerpt(body)}`);
  }
  const list = ModelListBody.safeParse(parsed);
  if (!list.success) {
    throw new Error(`GET ${url.href} answered JSON that is not a model list ({"data": [{"id": ...}]}): ${z.prettifyError(list.error).replaceAll('\n', ' ')}`);
  }
  const seen = new Set<string>();
  return list.data.data.flatMap((entry) => {
    if (seen.has(entry.id)) return [];
    seen.add(entry.id);
    return [{ id: entry.id, ownedBy: entry.owned_by ?? null }];
  });
}

const excerpt = (said: string): string => {
  const line = said.trim().replace(/\s+/g, ' ');
  return line === '' ? '(an empty body)' : line.length > 200 ? `${line.slice(0, 200)}…` : line;
};
