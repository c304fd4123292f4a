import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  clientNotifications,
  clientRequests,
  isClientRequestMethod,
  isServerNotificationMethod,
  isServerRequestMethod,
  serverNotifications,
  serverRequests,
  wireCatalog,
} from '../../../protocol/appServer/index.js';

/** The conformance fixtures (copies of the reference transcripts), one folder per scenario. */
const FIXTURE_DIR = fileURLToPath(new URL('../../conformance/fixtures/', import.meta.url));

/**
 * The transcripts replaced times and durations by placeholder strings; the real messages
 * carried integers there. Put a number back so the schemas see what was really on the wire.
 */
const NUMERIC_PLACEHOLDERS = new Set(['<TS>', '<DURATION>']);

const normalize = (value: unknown): unknown => {
  if (typeof value === 'string') return NUMERIC_PLACEHOLDERS.has(value) ? 1_700_000_000_000 : value;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
};

export interface TranscriptLine {
  file: string;
  line: number;
  dir: 'c2s' | 's2c';
  msg: Record<string, unknown>;
}

/** App-server scenarios only: the exec --json ones (14*) record no JSON-RPC. */
export const transcriptFiles = (): string[] =>
  readdirSync(FIXTURE_DIR)
    .filter((name) => !name.startsWith('14'))
    .sort();

export const readTranscript = (file: string): TranscriptLine[] =>
  readFileSync(join(FIXTURE_DIR, file, 'transcript.norm.jsonl'), 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.trim().length > 0)
    .map(({ text, line }) => ({ raw: JSON.parse(text) as { dir: string; msg: unknown }, line }))
    .filter(({ raw }) => raw.dir === 'c2s' || raw.dir === 's2c')
    .map(({ raw, line }) => ({
      file,
      line,
      dir: raw.dir as 'c2s' | 's2c',
      msg: normalize(raw.msg) as Record<string, unknown>,
    }));

/** One message of our subset, with the catalog schema it must satisfy and the value to check. */
export interface Checked {
  where: string;
  method: string;
  /** Catalog entry name, e.g. "ThreadStartParams". */
  name: string;
  schema: z.ZodType;
  value: unknown;
}

const names = new Map(wireCatalog().map((e) => [`${e.direction}:${e.method}:${e.kind}`, e.name]));
const nameOf = (key: string): string => names.get(key) ?? key;

/**
 * Walks a transcript and pairs each message of our subset with its schema. Responses are
 * matched to requests by id, separately per direction (each side counts its own ids).
 */
export const subsetMessages = (lines: readonly TranscriptLine[]): Checked[] => {
  const pendingFromClient = new Map<unknown, string>();
  const pendingFromServer = new Map<unknown, string>();
  const out: Checked[] = [];
  for (const { file, line, dir, msg } of lines) {
    const where = `${file}:${line}`;
    const method = typeof msg.method === 'string' ? msg.method : undefined;
    const hasId = 'id' in msg;
    if (method !== undefined && hasId) {
      (dir === 'c2s' ? pendingFromClient : pendingFromServer).set(msg.id, method);
      if (dir === 'c2s' && isClientRequestMethod(method)) {
        const schema = clientRequests[method].params;
        out.push({ where, method, name: nameOf(`clientRequest:${method}:params`), schema, value: msg.params });
      }
      if (dir === 's2c' && isServerRequestMethod(method)) {
        const schema = serverRequests[method].params;
        out.push({ where, method, name: nameOf(`serverRequest:${method}:params`), schema, value: msg.params });
      }
    } else if (method !== undefined) {
      if (dir === 's2c' && isServerNotificationMethod(method)) {
        const schema = serverNotifications[method];
        out.push({ where, method, name: nameOf(`serverNotification:${method}:notification`), schema, value: msg });
      }
      if (dir === 'c2s' && method in clientNotifications) {
        const schema = clientNotifications[method as keyof typeof clientNotifications];
        out.push({ where, method, name: nameOf(`clientNotification:${method}:notification`), schema, value: msg });
      }
    } else if ('result' in msg) {
      const asked = (dir === 's2c' ? pendingFromClient : pendingFromServer).get(msg.id);
      if (asked === undefined) continue;
      if (dir === 's2c' && isClientRequestMethod(asked)) {
        const schema = clientRequests[asked].result;
        out.push({ where, method: asked, name: nameOf(`clientRequest:${asked}:result`), schema, value: msg.result });
      }
      if (dir === 'c2s' && isServerRequestMethod(asked)) {
        const schema = serverRequests[asked].result;
        out.push({ where, method: asked, name: nameOf(`serverRequest:${asked}:result`), schema, value: msg.result });
      }
    }
  }
  return out;
};
