import * as z from 'zod';

/** When the user is asked before the agent acts. */
export const ApprovalPolicy = z.enum(['untrusted', 'on-failure', 'on-request', 'never']);
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

/** The sandbox mode as a user names it (params, config, CLI flags). */
export const SandboxMode = z.enum(['read-only', 'workspace-write', 'danger-full-access']);
export type SandboxMode = z.infer<typeof SandboxMode>;

/** The sandbox as reported back to clients, with what it really allows. */
export const SandboxPolicy = z.discriminatedUnion('type', [
  z.object({ type: z.literal('readOnly'), networkAccess: z.boolean().default(false) }),
  z.object({
    type: z.literal('workspaceWrite'),
    writableRoots: z.array(z.string()).default([]),
    networkAccess: z.boolean().default(false),
    excludeTmpdirEnvVar: z.boolean().default(false),
    excludeSlashTmp: z.boolean().default(false),
  }),
  z.object({ type: z.literal('dangerFullAccess') }),
]);
export type SandboxPolicy = z.infer<typeof SandboxPolicy>;

export const ReasoningEffort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max', 'ultra', 'persistent']);
export type ReasoningEffort = z.infer<typeof ReasoningEffort>;

export const ReasoningSummary = z.enum(['auto', 'concise', 'detailed', 'none']);
export type ReasoningSummary = z.infer<typeof ReasoningSummary>;

/** How long and detailed the model's answers are (`text.verbosity` on the Responses API). */
export const Verbosity = z.enum(['low', 'medium', 'high']);
export type Verbosity = z.infer<typeof Verbosity>;

/**
 * Whether the model may search the web with the provider's hosted tool: not at all, in the
 * provider's cached index, or live. `indexed` is another name for `cached`.
 */
export const WebSearchMode = z.enum(['disabled', 'cached', 'indexed', 'live']);
export type WebSearchMode = z.infer<typeof WebSearchMode>;

/** Token counts of one response, or summed over a thread. */
export const TokenUsageBreakdown = z.object({
  totalTokens: z.number().int(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  cacheWriteInputTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningOutputTokens: z.number().int(),
});
export type TokenUsageBreakdown = z.infer<typeof TokenUsageBreakdown>;

export const ThreadTokenUsage = z.object({
  total: TokenUsageBreakdown,
  last: TokenUsageBreakdown,
  modelContextWindow: z.number().int().nullable(),
});
export type ThreadTokenUsage = z.infer<typeof ThreadTokenUsage>;

export const emptyUsage = (): TokenUsageBreakdown => ({
  totalTokens: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
});

const combineUsage = (a: TokenUsageBreakdown, b: TokenUsageBreakdown, sign: 1 | -1): TokenUsageBreakdown => ({
  totalTokens: a.totalTokens + sign * b.totalTokens,
  inputTokens: a.inputTokens + sign * b.inputTokens,
  cachedInputTokens: a.cachedInputTokens + sign * b.cachedInputTokens,
  cacheWriteInputTokens: a.cacheWriteInputTokens + sign * b.cacheWriteInputTokens,
  outputTokens: a.outputTokens + sign * b.outputTokens,
  reasoningOutputTokens: a.reasoningOutputTokens + sign * b.reasoningOutputTokens,
});

export const addUsage = (a: TokenUsageBreakdown, b: TokenUsageBreakdown): TokenUsageBreakdown => combineUsage(a, b, 1);
export const subtractUsage = (a: TokenUsageBreakdown, b: TokenUsageBreakdown): TokenUsageBreakdown => combineUsage(a, b, -1);
