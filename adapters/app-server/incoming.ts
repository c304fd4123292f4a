import type { JsonRpcErrorObject, RequestId } from '../../protocol/appServer/jsonrpc.schema.js';

/**
 * A numeric id as the client wrote it, where a double would change it (beyond 2^53,
 * `1E+2`, `1e-400`): answers must carry the same digits.
 */
export class NumericIdText {
  constructor(readonly text: string) {}
}

/** An id as it travels: a string, a number a double holds exactly, or the text of one it does not. */
export type WireId = RequestId | NumericIdText;

/** An id as JSON text, for the line that carries it and for logs. */
export const idJson = (id: WireId | null): string => (id instanceof NumericIdText ? id.text : JSON.stringify(id));

/** What one parsed input line turned out to be. */
export type Incoming =
  | { kind: 'request'; id: WireId; method: string; params: unknown }
  | { kind: 'notification'; method: string; params: unknown }
  | { kind: 'response'; id: WireId; result: unknown }
  | { kind: 'errorResponse'; id: WireId; error: JsonRpcErrorObject }
  /** A reply without a usable id: nothing to route it to, and replies are never answered. */
  | { kind: 'strayReply'; detail: string }
  /** Not a JSON-RPC message; answered with -32600 and the id when one could be read. */
  | { kind: 'invalid'; id: WireId | null; message: string };

const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

const skipSpace = (text: string, at: number): number => {
  while (at < text.length && isSpace(text.charCodeAt(at))) at += 1;
  return at;
};

/** Just past the string starting at `at` (a quote). */
const stringEnd = (text: string, at: number): number => {
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
};

/** Just past the JSON value starting at `at`. */
const valueEnd = (text: string, at: number): number => {
  const first = text.charCodeAt(at);
  if (first === 0x22) return stringEnd(text, at);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let i = at; i < text.length;) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i = stringEnd(text, i);
        continue;
      }
      if (code === 0x7b || code === 0x5b) depth += 1;
      else if ((code === 0x7d || code === 0x5d) && --depth === 0) return i + 1;
      i += 1;
    }
    return text.length;
  }
  let end = at;
  while (end < text.length && !isSpace(text.charCodeAt(end)) && !',}]'.includes(text[end]!)) end += 1;
  return end;
};

/**
 * The source text of the top-level `id` member of a line that JSON.parse accepted (the
 * last one, as JSON.parse keeps the last of repeated keys), or null when there is none.
 */
export function idSourceText(line: string): string | null {
  let at = skipSpace(line, 0);
  if (line[at] !== '{') return null;
  let found: string | null = null;
  at += 1;
  for (;;) {
    at = skipSpace(line, at);
    if (line[at] !== '"') return found;
    const keyEnd = stringEnd(line, at);
    // "id" spelled with escapes is at most 14 characters; longer keys are something else.
    const key = keyEnd - at <= 16 ? (JSON.parse(line.slice(at, keyEnd)) as string) : null;
    at = skipSpace(line, skipSpace(line, keyEnd) + 1);
    const end = valueEnd(line, at);
    if (key === 'id') found = line.slice(at, end);
    at = skipSpace(line, end);
    if (line[at] !== ',') return found;
    at += 1;
  }
}

/**
 * Ids are strings or numbers; anything else is unreadable (answered as null). A number
 * keeps the client's text when the parsed double would not print back the same.
 */
const readId = (value: unknown, line: string | undefined): WireId | null => {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') return null;
  const text = line === undefined ? null : idSourceText(line);
  if (text !== null && text !== String(value)) return new NumericIdText(text);
  return Number.isFinite(value) ? value : null;
};

const readError = (value: unknown): JsonRpcErrorObject => {
  if (typeof value !== 'object' || value === null) return { code: -32603, message: String(value) };
  const e = value as Record<string, unknown>;
  const code = typeof e['code'] === 'number' && Number.isInteger(e['code']) ? e['code'] : -32603;
  const message = typeof e['message'] === 'string' ? e['message'] : 'error without a message';
  return e['data'] === undefined ? { code, message } : { code, message, data: e['data'] };
};

/**
 * Sorts a parsed JSON value into request / notification / reply by its keys. A `jsonrpc`
 * key, if present, is ignored. An object with `method` and an `id` key is a request even
 * when the id is unusable, so that it still gets exactly one (error) answer. `line` is the
 * text `value` was parsed from, for numeric ids a double cannot hold.
 */
export const classify = (value: unknown, line?: string): Incoming => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', id: null, message: 'Invalid request: expected a JSON object' };
  }
  const msg = value as Record<string, unknown>;
  const hasId = 'id' in msg && msg['id'] !== undefined;
  const id = readId(msg['id'], line);
  if ('method' in msg) {
    const method = msg['method'];
    if (typeof method !== 'string' || method.length === 0) {
      return { kind: 'invalid', id, message: 'Invalid request: method must be a non-empty string' };
    }
    if (!hasId) return { kind: 'notification', method, params: msg['params'] };
    if (id === null) return { kind: 'invalid', id: null, message: 'Invalid request: id must be a number or a string' };
    return { kind: 'request', id, method, params: msg['params'] };
  }
  if ('result' in msg || 'error' in msg) {
    if (id === null) return { kind: 'strayReply', detail: `reply without a usable id: ${JSON.stringify(msg['id'] ?? null)}` };
    if ('error' in msg && msg['error'] !== undefined && msg['error'] !== null) {
      return { kind: 'errorResponse', id, error: readError(msg['error']) };
    }
    return { kind: 'response', id, result: msg['result'] };
  }
  return { kind: 'invalid', id, message: 'Invalid request: expected a method, a result or an error' };
};
