import * as z from 'zod';

/**
 * JSON-RPC framing as the app-server uses it: one object a line, no `jsonrpc` field sent,
 * but accepted when a client includes it. Ids are echoed back exactly as received.
 */
export const RequestId = z.union([z.number().int(), z.string()]);
export type RequestId = z.infer<typeof RequestId>;

/** The standard JSON-RPC error codes the server answers with. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;
export type JsonRpcErrorCode = (typeof JsonRpcErrorCode)[keyof typeof JsonRpcErrorCode];

const version = { jsonrpc: z.literal('2.0').optional() };

export const JsonRpcErrorObject = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type JsonRpcErrorObject = z.infer<typeof JsonRpcErrorObject>;

const JsonRpcRequest = z.object({
  ...version,
  id: RequestId,
  method: z.string().min(1),
  params: z.unknown().optional(),
});
type JsonRpcRequest = z.infer<typeof JsonRpcRequest>;

const JsonRpcNotification = z.object({
  ...version,
  method: z.string().min(1),
  params: z.unknown().optional(),
});
type JsonRpcNotification = z.infer<typeof JsonRpcNotification>;

/** A success response; the `result` key must be present (an absent key is not a response). */
const JsonRpcResponse = z
  .object({ ...version, id: RequestId, result: z.unknown() })
  .refine((msg) => 'result' in msg, { message: 'a response needs a result', path: ['result'] });
type JsonRpcResponse = z.infer<typeof JsonRpcResponse>;

/** An error response; `id` is null when the request's id could not be read (e.g. bad JSON). */
const JsonRpcErrorResponse = z.object({
  ...version,
  id: RequestId.nullable(),
  error: JsonRpcErrorObject,
});
type JsonRpcErrorResponse = z.infer<typeof JsonRpcErrorResponse>;

/** Any one line either side may send. Requests are tried first, then replies, then notifications. */
export const JsonRpcMessage = z.union([JsonRpcRequest, JsonRpcErrorResponse, JsonRpcResponse, JsonRpcNotification]);
export type JsonRpcMessage = z.infer<typeof JsonRpcMessage>;

export type JsonRpcMessageKind = 'request' | 'notification' | 'response' | 'errorResponse';

/** Which of the four shapes a parsed message is, told apart by its keys. */
export const messageKind = (msg: JsonRpcMessage): JsonRpcMessageKind => {
  if ('method' in msg) return 'id' in msg && msg.id !== undefined ? 'request' : 'notification';
  return 'error' in msg ? 'errorResponse' : 'response';
};
