import { open, stat } from 'node:fs/promises';
import type { Thread } from '../../protocol/index.js';
import { absoluteRolloutPath, isRelativeRolloutPath, walkRollouts } from './rollout.files.js';
import { previewOf } from './rollout.items.js';
import { parseRolloutLine, type MetaRecord } from './rollout.schema.js';
import { errorMessage } from '../../protocol/index.js';

const DEFAULT_LIST_LIMIT = 25;
const MAX_LIST_LIMIT = 100;
/** How much of a file the list reads looking for the meta line and first user message. */
const HEAD_CAP_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

export interface ListRolloutsParams {
  cursor?: string | null;
  limit?: number | null;
}

export interface ListRolloutsResult {
  /** Newest first; turns are not loaded (empty). */
  data: Thread[];
  nextCursor: string | null;
  /** Files that were skipped, and why. */
  warnings: string[];
}

const encodeCursor = (rel: string): string => Buffer.from(rel, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const rel = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!isRelativeRolloutPath(rel)) throw new Error(`invalid cursor: ${JSON.stringify(cursor)}`);
  return rel;
}

function clampLimit(limit: number | null | undefined): number {
  if (limit === null || limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}

interface Head {
  meta: MetaRecord;
  preview: string;
}

/** Reads the start of a rollout: the meta line and the first user message after it, if near. */
async function readHead(path: string): Promise<Head> {
  const handle = await open(path, 'r');
  try {
    let meta: MetaRecord | null = null;
    let pending = '';
    let position = 0;
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const decoder = new TextDecoder('utf-8');
    while (position < HEAD_CAP_BYTES) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      const done = bytesRead === 0;
      position += bytesRead;
      pending += decoder.decode(buffer.subarray(0, bytesRead), { stream: !done });
      const lines = pending.split('\n');
      pending = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line.trim().length === 0) continue;
        const parsed = parseRolloutLine(line);
        if (!parsed.ok) continue;
        const record = parsed.record;
        if (record.type === 'meta') meta ??= record;
        else if (meta && record.type === 'item_completed') {
          const preview = previewOf(record.item);
          if (preview !== null) return { meta, preview };
        }
      }
      if (done) break;
    }
    if (!meta) throw new Error('no valid meta line');
    return { meta, preview: meta.thread.preview };
  } finally {
    await handle.close();
  }
}

/**
 * Lists stored threads newest first (by the creation time in the file name). Each thread
 * comes from the head of its file only, with `updatedAt` from the file's mtime. The cursor
 * is opaque; one that was not produced here is rejected.
 */
export async function listRollouts(home: string, params: ListRolloutsParams = {}): Promise<ListRolloutsResult> {
  const after = params.cursor ? decodeCursor(params.cursor) : undefined;
  const limit = clampLimit(params.limit);
  const data: Thread[] = [];
  const warnings: string[] = [];
  let lastSeen: string | null = null;
  let more = false;
  for await (const rel of walkRollouts(home, after)) {
    if (data.length >= limit) {
      more = true;
      break;
    }
    lastSeen = rel;
    const path = absoluteRolloutPath(home, rel);
    try {
      const [head, info] = await Promise.all([readHead(path), stat(path)]);
      data.push({
        ...head.meta.thread,
        preview: head.preview,
        updatedAt: Math.floor(info.mtimeMs / 1000),
        path,
        status: { type: 'notLoaded' },
        // A thread that is not loaded runs nowhere.
        environments: null,
        turns: [],
      });
    } catch (err) {
      warnings.push(`${path}: skipped (${errorMessage(err)})`);
    }
  }
  return { data, nextCursor: more && lastSeen !== null ? encodeCursor(lastSeen) : null, warnings };
}
