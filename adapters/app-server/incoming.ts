import type { JsonRpcErrorObject, RequestId } from '../../protocol/appServer/index.js';

/** What one parsed input line turned out to be. */
export type Incoming =
  | { kind: 'request'; id: RequestId; method: string; params: unknown }
  | { kind: 'notification'; method: string; params: unknown }
  | { kind: 'response'; id: RequestId; result: unknown }
  | { kind: 'errorResponse'; id: RequestId; error: JsonRpcErrorObject }
  /** A reply without a usable id: nothing to route it to, and replies are never answered. */
  | { kind: 'strayReply'; detail: string }
  /** Not a JSON-RPC message; answered with -32600 and the id when one could be read. */
  | { kind: 'invalid'; id: RequestId | null; message: string };

/** Ids are numbers or strings; anything else is unreadable (answered as null). */
const readId = (value: unknown): RequestId | null =>
  (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' ? value : null;

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
 * when the id is unusable, so that it still gets exactly one (error) answer.
 */
export const classify = (value: unknown): Incoming => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', id: null, message: 'Invalid request: expected a JSON object' };
  }
  const msg = value as Record<string, unknown>;
  const hasId = 'id' in msg && msg['id'] !== undefined;
  const id = readId(msg['id']);
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
