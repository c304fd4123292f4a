import * as z from 'zod';
import { ModelInfo, type ReasoningEffort } from '../../protocol/index.js';

/** One model of the catalog: what `model/list` shows, plus what the runtime needs to know. */
export const CatalogModel = ModelInfo.extend({ contextWindow: z.number().int().positive() });
export type CatalogModel = z.infer<typeof CatalogModel>;

const effort = (reasoningEffort: ReasoningEffort, description: string) => ({ reasoningEffort, description });

const QUICK = effort('low', 'Answers fast; enough for small, well-specified edits');
const BALANCED = effort('medium', 'Thinks as much as most coding tasks need');
const THOROUGH = effort('high', 'Reasons longer before acting; for tricky bugs and designs');

// The context windows are what the models accept as input in practice, which is what
// compaction has to plan around.
const MODELS: readonly CatalogModel[] = [
  {
    id: 'gpt-5.1-codex',
    model: 'gpt-5.1-codex',
    displayName: 'gpt-5.1-codex',
    description: 'Tuned for agentic coding: reads, edits and tests code in the workspace.',
    hidden: false,
    supportedReasoningEfforts: [QUICK, BALANCED, THOROUGH],
    defaultReasoningEffort: 'medium',
    upgrade: null,
    isDefault: true,
    contextWindow: 272_000,
  },
  {
    id: 'gpt-5.1-codex-max',
    model: 'gpt-5.1-codex-max',
    displayName: 'gpt-5.1-codex-max',
    description: 'The coding model for long tasks that span many files and turns.',
    hidden: false,
    supportedReasoningEfforts: [QUICK, BALANCED, THOROUGH, effort('xhigh', 'Spends the most reasoning on each step; slow, for the hardest problems')],
    defaultReasoningEffort: 'medium',
    upgrade: null,
    isDefault: false,
    contextWindow: 272_000,
  },
  {
    id: 'gpt-5.1-codex-mini',
    model: 'gpt-5.1-codex-mini',
    displayName: 'gpt-5.1-codex-mini',
    description: 'A smaller, cheaper coding model for routine changes.',
    hidden: false,
    supportedReasoningEfforts: [BALANCED, THOROUGH],
    defaultReasoningEffort: 'medium',
    upgrade: null,
    isDefault: false,
    contextWindow: 272_000,
  },
  {
    id: 'gpt-5.1',
    model: 'gpt-5.1',
    displayName: 'gpt-5.1',
    description: 'A general model, also good at explaining code and answering questions about it.',
    hidden: false,
    supportedReasoningEfforts: [effort('none', 'Replies without a reasoning phase'), QUICK, BALANCED, THOROUGH],
    defaultReasoningEffort: 'medium',
    upgrade: null,
    isDefault: false,
    contextWindow: 272_000,
  },
  {
    id: 'gpt-5-codex',
    model: 'gpt-5-codex',
    displayName: 'gpt-5-codex',
    description: 'The previous coding model; gpt-5.1-codex does the same work better.',
    hidden: false,
    supportedReasoningEfforts: [QUICK, BALANCED, THOROUGH],
    defaultReasoningEffort: 'medium',
    upgrade: 'gpt-5.1-codex',
    isDefault: false,
    contextWindow: 272_000,
  },
  {
    id: 'gpt-5',
    model: 'gpt-5',
    displayName: 'gpt-5',
    description: 'An older general model, kept so existing configs keep working.',
    hidden: true,
    supportedReasoningEfforts: [effort('minimal', 'Reasons as little as possible'), QUICK, BALANCED, THOROUGH],
    defaultReasoningEffort: 'medium',
    upgrade: 'gpt-5.1',
    isDefault: false,
    contextWindow: 272_000,
  },
];

/** The built-in models, in the order pickers show them (hidden ones included; callers filter). */
export function modelCatalog(): CatalogModel[] {
  return MODELS.map((entry) => ({ ...entry, supportedReasoningEfforts: [...entry.supportedReasoningEfforts] }));
}

/** The catalog entry for a configured model name, or undefined for models it does not know. */
export function findModel(model: string): CatalogModel | undefined {
  return MODELS.find((entry) => entry.model === model || entry.id === model);
}

/** The model threads use when nothing names one. */
export function defaultModel(): CatalogModel {
  const entry = MODELS.find((candidate) => candidate.isDefault);
  if (!entry) throw new Error('the model catalog has no default model');
  return entry;
}

/**
 * What the user is told when a thread runs on a catalog model that has a newer version, once
 * per thread start or resume; null for models without one (and models the catalog does not know).
 */
export function upgradeNotice(model: string): string | null {
  const upgrade = findModel(model)?.upgrade;
  if (!upgrade) return null;
  return (
    `Model ${model} has a newer version: ${upgrade}. To switch, choose ${upgrade} as the model ` +
    `(\`-m ${upgrade}\`, \`model = "${upgrade}"\` in config.toml, or \`model\` in thread/start).`
  );
}

/**
 * Why `effort` does not suit `model`, or null when it does. Only catalog models are checked:
 * what another server's model accepts is not known here, so anything goes there.
 */
export function unsupportedEffort(model: string, effort: ReasoningEffort): string | null {
  const entry = findModel(model);
  if (!entry) return null;
  const supported = entry.supportedReasoningEfforts.map((option) => option.reasoningEffort);
  if (supported.includes(effort)) return null;
  return `model ${entry.model} does not support reasoning effort "${effort}"; it supports ${supported.join(', ')} (default ${entry.defaultReasoningEffort})`;
}
