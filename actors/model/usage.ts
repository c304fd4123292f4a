import type { TokenUsageBreakdown } from '../../protocol/common.schema.js';

const int = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0);
const obj = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/** Usage of a Responses API `response.completed`. */
export function usageFromResponses(raw: unknown): TokenUsageBreakdown | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const usage = obj(raw);
  const input = obj(usage.input_tokens_details);
  const output = obj(usage.output_tokens_details);
  const inputTokens = int(usage.input_tokens);
  const outputTokens = int(usage.output_tokens);
  return {
    inputTokens,
    cachedInputTokens: int(input.cached_tokens),
    cacheWriteInputTokens: int(input.cache_write_tokens ?? input.cache_creation_tokens),
    outputTokens,
    reasoningOutputTokens: int(output.reasoning_tokens),
    totalTokens: usage.total_tokens === undefined ? inputTokens + outputTokens : int(usage.total_tokens),
  };
}

/** Usage of a Chat Completions stream's final chunk (stream_options.include_usage). */
export function usageFromChat(raw: unknown): TokenUsageBreakdown | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const usage = obj(raw);
  const prompt = obj(usage.prompt_tokens_details);
  const completion = obj(usage.completion_tokens_details);
  const inputTokens = int(usage.prompt_tokens);
  const outputTokens = int(usage.completion_tokens);
  return {
    inputTokens,
    cachedInputTokens: int(prompt.cached_tokens),
    cacheWriteInputTokens: 0,
    outputTokens,
    reasoningOutputTokens: int(completion.reasoning_tokens),
    totalTokens: usage.total_tokens === undefined ? inputTokens + outputTokens : int(usage.total_tokens),
  };
}
