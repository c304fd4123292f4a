import * as z from 'zod';
import { TokenUsageBreakdown } from './common.schema.js';
import { TurnError } from './thread.schema.js';
import { ResponseItem } from './responses.schema.js';

/**
 * What a model client reports while one request streams, whatever the wire API.
 * The turn machine consumes exactly these; `failed` is the last event of a request
 * that will not be retried, `completed` the last of one that succeeded.
 */
export const ModelStreamEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('outputItemAdded'),
    itemType: z.string(),
    itemId: z.string(),
  }),
  z.object({ type: z.literal('outputTextDelta'), itemId: z.string(), delta: z.string() }),
  z.object({ type: z.literal('reasoningSummaryPartAdded'), itemId: z.string(), summaryIndex: z.number().int() }),
  z.object({
    type: z.literal('reasoningSummaryTextDelta'),
    itemId: z.string(),
    summaryIndex: z.number().int(),
    delta: z.string(),
  }),
  z.object({
    type: z.literal('reasoningTextDelta'),
    itemId: z.string(),
    contentIndex: z.number().int(),
    delta: z.string(),
  }),
  z.object({ type: z.literal('outputItemDone'), item: ResponseItem }),
  z.object({
    type: z.literal('completed'),
    responseId: z.string().nullable(),
    usage: TokenUsageBreakdown.nullable(),
  }),
  z.object({
    type: z.literal('retrying'),
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    delayMs: z.number(),
    message: z.string(),
  }),
  z.object({ type: z.literal('failed'), error: TurnError }),
]);
export type ModelStreamEvent = z.infer<typeof ModelStreamEvent>;
