import { readFile } from 'node:fs/promises';
import { emptyUsage, subtractUsage, type ResponseItem, type Thread, type ThreadItem, type TokenUsageBreakdown, type Turn } from '../../protocol/index.js';
import { answerOpenCalls, historyFromItems, previewOf } from './rollout.items.js';
import { parseRolloutLine, type MetaRecord, type RolloutRecord } from './rollout.schema.js';

/** A thread as rebuilt from its rollout file. */
export interface StoredThread {
  path: string;
  meta: MetaRecord;
  /** Turns filled in, status notLoaded, preview and updatedAt from the records. */
  thread: Thread;
  /** The model conversation to resume from. */
  history: ResponseItem[];
  usageTotal: TokenUsageBreakdown;
  /** The last recorded turn: its id and what it used (null before any turn finished). */
  lastTurn: { turnId: string; usage: TokenUsageBreakdown } | null;
  /** Lines that were skipped, and other oddities, one message each. */
  warnings: string[];
}

/** Conversation items in record order; one that `replaces` starts over from a compacted history. */
interface HistorySegment {
  replaces: boolean;
  items: ResponseItem[];
}

interface TurnSlot {
  turn: Turn;
  items: ThreadItem[];
  startedTs: number | null;
  completed: boolean;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

function placeholderTurn(id: string): Turn {
  return {
    id,
    rootTurnId: id,
    items: [],
    itemsView: 'full',
    status: 'inProgress',
    error: null,
    startedAt: null,
    completedAt: null,
    durationMs: null,
  };
}

export interface ReadOptions {
  /** A turn this process is running right now: without its turn_completed record it is in progress, not cut off. */
  runningTurnId?: string | null;
}

/** Reads a rollout file; throws only when it cannot be read or has no valid meta line. */
export async function readRollout(path: string, options: ReadOptions = {}): Promise<StoredThread> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `rollout file not found: ${path}` : `cannot read rollout ${path}: ${(err as Error).message}`);
  }
  const warnings: string[] = [];
  const records: RolloutRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim().length === 0) return;
    const parsed = parseRolloutLine(line);
    if (parsed.ok) records.push(parsed.record);
    else warnings.push(`${path}:${index + 1}: skipped line (${parsed.reason})`);
  });
  return rebuild(path, records, warnings, options);
}

/** Turns a file's valid records into the stored thread. */
function rebuild(path: string, records: readonly RolloutRecord[], warnings: string[], options: ReadOptions = {}): StoredThread {
  let meta: MetaRecord | null = null;
  const slots = new Map<string, TurnSlot>();
  /** Each turn's part of the conversation, from its history records in order; a compaction starts a segment that replaces all before it. */
  const histories = new Map<string, HistorySegment[]>();
  const order: string[] = [];
  let lastTs = 0;
  let usageTotal: TokenUsageBreakdown | null = null;
  let lastTurn: StoredThread['lastTurn'] = null;
  /** The turn of the latest history record, and the thread's usage before that turn. */
  let historyTurn: string | null = null;
  let usageBefore = emptyUsage();

  const slotFor = (turnId: string, what: string): TurnSlot => {
    let slot = slots.get(turnId);
    if (!slot) {
      warnings.push(`${path}: ${what} for turn ${turnId} without its turn_started record`);
      slot = { turn: placeholderTurn(turnId), items: [], startedTs: null, completed: false };
      slots.set(turnId, slot);
      if (!order.includes(turnId)) order.push(turnId);
    }
    return slot;
  };

  for (const record of records) {
    lastTs = Math.max(lastTs, record.ts);
    switch (record.type) {
      case 'meta':
        if (meta) warnings.push(`${path}: extra meta record ignored`);
        else meta = record;
        break;
      case 'turn_started': {
        const existing = slots.get(record.turn.id);
        if (existing) {
          warnings.push(`${path}: turn ${record.turn.id} started twice; keeping the first`);
          break;
        }
        slots.set(record.turn.id, { turn: record.turn, items: [], startedTs: record.ts, completed: false });
        if (!order.includes(record.turn.id)) order.push(record.turn.id);
        break;
      }
      case 'item_completed': {
        const slot = slotFor(record.turnId, 'item');
        const at = slot.items.findIndex((item) => item.id === record.item.id);
        if (at >= 0) slot.items[at] = record.item;
        else slot.items.push(record.item);
        break;
      }
      case 'turn_completed': {
        const slot = slotFor(record.turn.id, 'turn_completed');
        slot.turn = record.turn;
        slot.completed = true;
        break;
      }
      case 'history':
      case 'compacted': {
        if (historyTurn !== record.turnId) {
          historyTurn = record.turnId;
          usageBefore = usageTotal ?? emptyUsage();
        }
        const segments = histories.get(record.turnId) ?? [];
        if (record.type === 'compacted') segments.push({ replaces: true, items: [...record.replacementHistory] });
        else if (segments.length === 0) segments.push({ replaces: false, items: [...record.items] });
        else segments.at(-1)!.items.push(...record.items);
        histories.set(record.turnId, segments);
        lastTurn = { turnId: record.turnId, usage: subtractUsage(record.usageTotal, usageBefore) };
        usageTotal = record.usageTotal;
        if (!order.includes(record.turnId)) order.push(record.turnId);
        break;
      }
    }
  }

  if (!meta) throw new Error(`rollout ${path} has no valid meta line`);

  const turns: Turn[] = [];
  let history: ResponseItem[] = [];
  const follow = (segments: HistorySegment[]) => {
    for (const segment of segments) history = segment.replaces ? [...segment.items] : [...history, ...segment.items];
  };
  let preview: string | null = null;
  for (const id of order) {
    const slot = slots.get(id);
    const stored = histories.get(id);
    if (slot) {
      const turn = slot.turn.id === options.runningTurnId ? { ...slot.turn, items: slot.items, itemsView: 'full' as const } : finishTurn(slot, lastTs);
      turns.push(turn);
      for (const item of turn.items) preview ??= previewOf(item);
      if (stored) follow(stored);
      else history.push(...historyFromItems(turn.items));
    } else if (stored) {
      follow(stored);
    }
  }

  const thread: Thread = {
    ...meta.thread,
    preview: preview ?? meta.thread.preview,
    updatedAt: seconds(lastTs),
    path,
    status: { type: 'notLoaded' },
    environments: null,
    turns,
  };
  // A turn cut off while its calls ran has calls without outputs, which the model would refuse.
  return { path, meta, thread, history: answerOpenCalls(history), usageTotal: usageTotal ?? emptyUsage(), lastTurn, warnings };
}

/** A turn with its items; one that never completed (the process died) ends interrupted. */
function finishTurn(slot: TurnSlot, lastTs: number): Turn {
  const turn: Turn = { ...slot.turn, items: slot.items, itemsView: 'full' };
  if (slot.completed) return turn;
  const startedMs = slot.startedTs ?? (turn.startedAt !== null ? turn.startedAt * 1000 : null);
  return {
    ...turn,
    status: 'interrupted',
    error: null,
    completedAt: seconds(lastTs),
    durationMs: startedMs !== null ? Math.max(0, lastTs - startedMs) : null,
  };
}
