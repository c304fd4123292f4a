import type { ResponseItem, TokenUsageBreakdown } from '../protocol/index.js';

/**
 * How big the conversation was when the provider last counted it: the tokens of the last
 * response's request and output, and how many conversation items that covered.
 */
export interface ContextMeasure {
  tokens: number;
  items: number;
}

/** Characters a token stands for on average in English prose and code; a rough figure, erring towards more tokens. */
const CHARS_PER_TOKEN = 4;

/** A rough token count of conversation items, for the part the provider has not counted yet. */
export const estimateTokens = (items: readonly ResponseItem[]): number =>
  items.reduce((sum, item) => sum + Math.ceil(JSON.stringify(item).length / CHARS_PER_TOKEN), 0);

/** The provider's last count plus an estimate of what was added since; all estimated when there is no count. */
export function contextTokens(conversation: readonly ResponseItem[], measured: ContextMeasure | null): number {
  if (!measured || measured.items > conversation.length) return estimateTokens(conversation);
  return measured.tokens + estimateTokens(conversation.slice(measured.items));
}

/** What a response's usage says of the conversation once that response is part of it. */
export const measureOf = (usage: TokenUsageBreakdown, items: number): ContextMeasure => ({
  tokens: usage.inputTokens + usage.outputTokens,
  items,
});
