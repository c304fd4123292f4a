import { ModelInfo, OPENAI_PROVIDER_ID, errorMessage, type ProviderSettings } from '../../protocol/index.js';
import { modelCatalog, type CatalogModel } from '../config/index.js';
import type { ServedModel } from '../model/index.js';

/** What `model/list` shows: every model (hidden ones included, callers filter), and why the provider's own list is missing if it is. */
export interface ModelListing {
  /** The id of the provider listed. */
  provider: string;
  models: ModelInfo[];
  /** Set when the provider was asked and could not answer, so the list is the built-in one. */
  warning: string | null;
}

/** How long a provider's list is reused before it is asked again. */
const LIST_TTL_MS = 5 * 60_000;
/** A provider that could not answer is asked again sooner: it may just have been started. */
const FAILURE_TTL_MS = 30_000;

type Served = { models: ServedModel[] } | { error: string };

/**
 * The models of the configured provider, merged with the built-in catalog, asked for once per
 * provider and reused for a few minutes within the process. The OpenAI provider gets the
 * catalog alone: its `/models` lists every model of the account (embeddings, images, audio),
 * which no coding agent can run. Other providers list what they serve: the catalog's entries
 * for models they serve (with what the catalog knows of them) first, then the rest in the
 * server's order with defaults. A provider that cannot be reached, fails, answers something
 * that is not a model list or lists nothing falls back to the catalog with a warning.
 */
export class ModelLists {
  private readonly cache = new Map<string, { expires: number; served: Promise<Served> }>();

  constructor(
    private readonly fetch: (provider: ProviderSettings) => Promise<ServedModel[]>,
    private readonly now: () => number = Date.now,
  ) {}

  async list(provider: ProviderSettings, configuredModel: string): Promise<ModelListing> {
    const catalog = modelCatalog();
    if (provider.id === OPENAI_PROVIDER_ID) return { provider: provider.id, models: catalog.map(publicInfo), warning: null };
    const served = await this.served(provider);
    if ('error' in served || served.models.length === 0) {
      const problem = 'error' in served ? served.error : 'it lists no models';
      return {
        provider: provider.id,
        models: catalog.map(publicInfo),
        warning: `could not list the models of provider "${provider.name}" (${provider.id}): ${problem}. Showing the built-in models instead.`,
      };
    }
    return { provider: provider.id, models: merge(catalog, served.models, provider, configuredModel), warning: null };
  }

  /** The provider's answer, shared by the calls that come while it is asked and reused until it expires. */
  private served(provider: ProviderSettings): Promise<Served> {
    const key = JSON.stringify([provider.id, provider.baseUrl, provider.queryParams, provider.httpHeaders, provider.envHttpHeaders, provider.envKey]);
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) return cached.served;
    // Until the answer comes, callers share the question; from then on, the answer for its lifetime.
    const entry: { expires: number; served: Promise<Served> } = {
      expires: Number.POSITIVE_INFINITY,
      served: this.fetch(provider).then(
        (models) => {
          entry.expires = this.now() + LIST_TTL_MS;
          return { models };
        },
        (error: unknown) => {
          entry.expires = this.now() + FAILURE_TTL_MS;
          return { error: errorMessage(error) };
        },
      ),
    };
    this.cache.set(key, entry);
    return entry.served;
  }
}

/** A catalog entry as clients see it (without what only the runtime needs). */
const publicInfo = (entry: CatalogModel): ModelInfo => ModelInfo.parse(entry);

function merge(catalog: CatalogModel[], served: ServedModel[], provider: ProviderSettings, configuredModel: string): ModelInfo[] {
  const servedIds = new Set(served.map((model) => model.id));
  const known = catalog.filter((entry) => servedIds.has(entry.id));
  const knownIds = new Set(known.map((entry) => entry.id));
  // The model new threads use is the default; a catalog upgrade counts only when the provider serves it too.
  const fromCatalog = known.map((entry) => ({
    ...publicInfo(entry),
    upgrade: entry.upgrade !== null && servedIds.has(entry.upgrade) ? entry.upgrade : null,
    isDefault: entry.id === configuredModel,
  }));
  const others = served
    .filter((model) => !knownIds.has(model.id))
    .map((model): ModelInfo => ({
      id: model.id,
      model: model.id,
      displayName: model.id,
      description: `Served by ${provider.name}${model.ownedBy ? ` (owned by ${model.ownedBy})` : ''}.`,
      hidden: false,
      // What the model accepts is unknown: no effort is sent unless one is configured, and none is refused.
      supportedReasoningEfforts: [],
      defaultReasoningEffort: 'medium',
      upgrade: null,
      isDefault: model.id === configuredModel,
    }));
  return [...fromCatalog, ...others];
}
