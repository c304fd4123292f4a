import { JsonRpcErrorCode, type JsonRpcErrorObject } from '../../protocol/appServer/jsonrpc.schema.js';

/**
 * An error a method handler throws to choose the JSON-RPC error the client gets.
 * Anything else a handler throws becomes -32603 with the error's message.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toObject(): JsonRpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

/** Rejects a server request that no longer needs an answer (cancelled, or the connection closed). */
export class RequestAbandonedError extends Error {
  constructor(
    readonly requestId: number,
    readonly reason: 'cancelled' | 'closed',
  ) {
    super(`server request ${requestId} ${reason === 'closed' ? 'abandoned: connection closed' : 'cancelled'}`);
    this.name = 'RequestAbandonedError';
  }
}

/** The error object for anything a handler threw. Only integer `code`s count (not Node's 'ENOENT' style ones). */
export const toErrorObject = (err: unknown): JsonRpcErrorObject => {
  if (err instanceof RpcError) return err.toObject();
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; message?: unknown; data?: unknown };
    const message = typeof e.message === 'string' && e.message.length > 0 ? e.message : 'Internal error';
    if (typeof e.code === 'number' && Number.isInteger(e.code)) {
      return e.data === undefined ? { code: e.code, message } : { code: e.code, message, data: e.data };
    }
    return { code: JsonRpcErrorCode.InternalError, message };
  }
  return { code: JsonRpcErrorCode.InternalError, message: typeof err === 'string' && err.length > 0 ? err : 'Internal error' };
};
