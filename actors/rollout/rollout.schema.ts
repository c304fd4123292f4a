import * as z from 'zod';
import { ResponseItem, Thread, ThreadItem, ThreadOverrides, TokenUsageBreakdown, Turn } from '../../protocol/index.js';

/**
 * One line of a rollout file. Every record carries `ts` (unix milliseconds, when the
 * recorder was handed the record) and a `type` naming what it holds.
 */
const ts = z.number().int();

/** First line: the thread as created (no turns, idle) and the settings that reproduce it. */
export const MetaRecord = z.object({
  ts,
  type: z.literal('meta'),
  thread: Thread,
  overrides: ThreadOverrides,
});
export type MetaRecord = z.infer<typeof MetaRecord>;

/** A turn began; `turn.items` is empty. */
const TurnStartedRecord = z.object({
  ts,
  type: z.literal('turn_started'),
  turn: Turn,
});
type TurnStartedRecord = z.infer<typeof TurnStartedRecord>;

/** One finished item of a turn, in completion order. */
const ItemCompletedRecord = z.object({
  ts,
  type: z.literal('item_completed'),
  turnId: z.string(),
  item: ThreadItem,
});
type ItemCompletedRecord = z.infer<typeof ItemCompletedRecord>;

/** A turn ended; `turn.items` is stored empty (the items are the item_completed records). */
const TurnCompletedRecord = z.object({
  ts,
  type: z.literal('turn_completed'),
  turn: Turn,
});
type TurnCompletedRecord = z.infer<typeof TurnCompletedRecord>;

/**
 * Items a turn added to the model conversation, written as the turn commits them (its
 * context and user message, each finished response, each round of tool outputs), and the
 * thread's token usage at that point. Older files hold one such record per finished turn.
 */
const HistoryRecord = z.object({
  ts,
  type: z.literal('history'),
  turnId: z.string(),
  items: z.array(ResponseItem),
  usageTotal: TokenUsageBreakdown,
});
type HistoryRecord = z.infer<typeof HistoryRecord>;

/**
 * The conversation was compacted (as Codex records it: the summary and the history that
 * replaces everything before). A resumed thread starts from `replacementHistory` plus the
 * history records that follow.
 */
const CompactedRecord = z.object({
  ts,
  type: z.literal('compacted'),
  turnId: z.string(),
  message: z.string(),
  replacementHistory: z.array(ResponseItem),
  usageTotal: TokenUsageBreakdown,
});
type CompactedRecord = z.infer<typeof CompactedRecord>;

export const RolloutRecord = z.discriminatedUnion('type', [
  MetaRecord,
  TurnStartedRecord,
  ItemCompletedRecord,
  TurnCompletedRecord,
  HistoryRecord,
  CompactedRecord,
]);
export type RolloutRecord = z.infer<typeof RolloutRecord>;

/** A record as handed to the recorder, before it is stamped with `ts`. */
export type RolloutRecordBody =
  | Omit<MetaRecord, 'ts'>
  | Omit<TurnStartedRecord, 'ts'>
  | Omit<ItemCompletedRecord, 'ts'>
  | Omit<TurnCompletedRecord, 'ts'>
  | Omit<HistoryRecord, 'ts'>
  | Omit<CompactedRecord, 'ts'>;

export type ParsedLine = { ok: true; record: RolloutRecord } | { ok: false; reason: string };

/** Parses one line of a rollout file; never throws. */
export function parseRolloutLine(line: string): ParsedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = RolloutRecord.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    return { ok: false, reason: `not a rollout record${where}: ${first?.message ?? 'invalid'}` };
  }
  return { ok: true, record: parsed.data };
}
