import type { Readable, Writable } from 'node:stream';
import type { ClientRequestMethod, ClientRequestParams, ClientRequestResult } from '../../protocol/appServer/index.js';
import { invalidParamsError } from '../../protocol/appServer/errors.js';
import { InitializeParams } from '../../protocol/appServer/initialize.schema.js';
import { JsonRpcErrorCode, type JsonRpcErrorObject } from '../../protocol/appServer/jsonrpc.schema.js';
import { RequestAbandonedError, RpcError, toErrorObject } from './errors.js';
import { classify, idJson, type WireId } from './incoming.js';
import { DEFAULT_MAX_LINE_BYTES, readLines } from '../shared/index.js';
import { Outbox, type OutboxStats } from './outbox.js';
import { errorMessage } from '../../protocol/text.js';

/** What a method handler learns about the request it serves. */
interface RequestContext {
  id: WireId;
  method: ClientRequestMethod;
  connection: Connection;
  /** Settles once the answer (a result or an error) is queued for the client, ahead of anything sent later. */
  answered: Promise<void>;
}

type MethodHandlers = {
  [M in ClientRequestMethod]?: (params: ClientRequestParams<M>, ctx: RequestContext) => Promise<ClientRequestResult<M>> | ClientRequestResult<M>;
};

export type Handlers = MethodHandlers & {
  /** The client's `initialized` notification arrived (after a successful initialize). */
  onInitialized?: () => void | Promise<void>;
  /** Input ended. `closed` resolves after this settles and the output has drained. */
  onClose?: () => void | Promise<void>;
};

export interface ConnectionOptions {
  input: Readable;
  output: Writable;
  handlers: Handlers;
  /** Diagnostics; goes to stderr by default, never to the protocol output. */
  log?: (line: string) => void;
  maxLineBytes?: number;
  /** Outgoing backlog above which streaming deltas get merged. */
  coalesceAbove?: number;
  /** At EOF, how long to wait for still running handlers before draining anyway. */
  closeGraceMs?: number;
}

interface ServerRequestHandle {
  id: number;
  /** The client's `result`; rejects with RpcError for an error answer, RequestAbandonedError when cancelled/closed. */
  response: Promise<unknown>;
}

export interface Connection {
  /** Sends a server notification, stamped with `emittedAtMs`. Never throws. */
  notify(method: string, params: unknown): void;
  /** Sends a server → client request and returns its id along with the pending answer. */
  sendRequest(method: string, params: unknown): ServerRequestHandle;
  request(method: string, params: unknown): Promise<unknown>;
  /** Forgets a pending server request; a late answer is then logged and ignored. */
  cancelRequest(id: number): boolean;
  readonly initialized: boolean;
  readonly stats: OutboxStats;
  /** Resolves once input ended, onClose settled and the output drained. Never rejects. */
  readonly closed: Promise<void>;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

type InitState = 'none' | 'pending' | 'done';

/**
 * The schemas of every request after `initialize`, with the protocol's item and thread
 * schemas they are built from: read when the first line after the handshake arrives, so
 * answering `initialize` builds only its own.
 */
const loadRequestSchemas = () => import('../../protocol/appServer/requests.schema.js');
type RequestSchemas = Awaited<ReturnType<typeof loadRequestSchemas>>;

const defaultLog = (line: string): void => {
  process.stderr.write(`[statecraft app-server] ${line}\n`);
};

export const createConnection = (options: ConnectionOptions): Connection => {
  const { input, output, handlers } = options;
  const log = options.log ?? defaultLog;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const closeGraceMs = options.closeGraceMs ?? 5000;
  const outbox = new Outbox(output, { log, ...(options.coalesceAbove !== undefined ? { coalesceAbove: options.coalesceAbove } : {}) });
  const pending = new Map<number, Pending>();
  const running = new Set<Promise<void>>();
  let nextServerId = 0;
  let init: InitState = 'none';
  let closing = false;
  let initializedSeen = false;

  const sendError = (id: WireId | null, error: JsonRpcErrorObject): void => {
    try {
      outbox.send({ id, error });
    } catch (err) {
      log(`cannot serialize error response: ${errorMessage(err)}`);
      outbox.send({ id, error: { code: JsonRpcErrorCode.InternalError, message: 'Internal error' } });
    }
  };

  const sendResult = (id: WireId, result: unknown): void => {
    try {
      outbox.send({ id, result: result ?? {} });
    } catch (err) {
      sendError(id, { code: JsonRpcErrorCode.InternalError, message: `result could not be serialized: ${errorMessage(err)}` });
    }
  };

  let initializing: Promise<void> = Promise.resolve();
  let requestSchemas: RequestSchemas | null = null;

  const runHandler = (id: WireId, method: ClientRequestMethod, params: unknown): void => {
    const handler = handlers[method] as ((params: unknown, ctx: RequestContext) => unknown) | undefined;
    if (handler === undefined) {
      if (method === 'initialize') init = 'none';
      sendError(id, { code: JsonRpcErrorCode.MethodNotFound, message: `Method not found: ${method}` });
      return;
    }
    let markAnswered = () => {};
    const answered = new Promise<void>((resolve) => (markAnswered = resolve));
    const task = (async () => {
      try {
        const result = await handler(params, { id, method, connection, answered });
        if (method === 'initialize') init = 'done';
        sendResult(id, result);
      } catch (err) {
        if (method === 'initialize') init = 'none';
        sendError(id, toErrorObject(err));
      }
      markAnswered();
    })();
    running.add(task);
    void task.finally(() => running.delete(task));
    if (method === 'initialize') initializing = task;
  };

  const onRequest = (id: WireId, method: string, params: unknown): void => {
    // An absent params key is read as an empty object, so missing fields get named.
    if (method === 'initialize') {
      if (init !== 'none') return sendError(id, { code: JsonRpcErrorCode.InvalidRequest, message: 'Already initialized' });
      const parsed = InitializeParams.safeParse(params ?? {});
      if (!parsed.success) return sendError(id, invalidParamsError(method, parsed.error));
      init = 'pending';
      return runHandler(id, method, parsed.data);
    }
    if (init !== 'done') return sendError(id, { code: JsonRpcErrorCode.InvalidRequest, message: 'Not initialized' });
    if (requestSchemas === null) {
      return sendError(id, { code: JsonRpcErrorCode.InternalError, message: 'Internal error: the request schemas could not be loaded (see the server log)' });
    }
    if (!requestSchemas.isClientRequestMethod(method)) {
      return sendError(id, { code: JsonRpcErrorCode.MethodNotFound, message: `Method not found: ${method}` });
    }
    const parsed = requestSchemas.clientRequests[method].params.safeParse(params ?? {});
    if (!parsed.success) return sendError(id, invalidParamsError(method, parsed.error));
    runHandler(id, method, parsed.data);
  };

  const onNotification = (method: string): void => {
    if (method !== 'initialized') {
      log(`ignoring client notification ${method}`);
      return;
    }
    if (init !== 'done') {
      log('ignoring initialized: initialize has not succeeded');
      return;
    }
    if (initializedSeen) {
      log('ignoring a repeated initialized notification');
      return;
    }
    initializedSeen = true;
    try {
      void Promise.resolve(handlers.onInitialized?.()).catch((err: unknown) => log(`onInitialized failed: ${errorMessage(err)}`));
    } catch (err) {
      log(`onInitialized failed: ${errorMessage(err)}`);
    }
  };

  /** Our requests have small integer ids; an answer names one only with those very digits. */
  const onReply = (id: WireId, settle: (p: Pending) => void): void => {
    const entry = typeof id === 'number' ? pending.get(id) : undefined;
    if (entry === undefined) {
      log(`ignoring response for unknown server request id ${idJson(id)}`);
      return;
    }
    pending.delete(id as number);
    settle(entry);
  };

  const onLine = (text: string): void => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      sendError(null, { code: JsonRpcErrorCode.ParseError, message: `Parse error: ${errorMessage(err)}` });
      return;
    }
    const msg = classify(value, text);
    switch (msg.kind) {
      case 'request':
        return onRequest(msg.id, msg.method, msg.params);
      case 'notification':
        return onNotification(msg.method);
      case 'response':
        return onReply(msg.id, (p) => p.resolve(msg.result));
      case 'errorResponse':
        return onReply(msg.id, (p) => p.reject(new RpcError(msg.error.code, msg.error.message, msg.error.data)));
      case 'strayReply':
        return log(`ignoring ${msg.detail}`);
      case 'invalid':
        return sendError(msg.id, { code: JsonRpcErrorCode.InvalidRequest, message: msg.message });
    }
  };

  const settleRunning = async (): Promise<void> => {
    if (running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log(`closing with ${running.size} request(s) still running`);
        resolve();
      }, closeGraceMs);
    });
    await Promise.race([Promise.allSettled([...running]), grace]);
    clearTimeout(timer);
  };

  const shutdown = async (): Promise<void> => {
    closing = true;
    for (const [id, entry] of pending) entry.reject(new RequestAbandonedError(id, 'closed'));
    pending.clear();
    try {
      await handlers.onClose?.();
    } catch (err) {
      log(`onClose failed: ${errorMessage(err)}`);
    }
    await settleRunning();
    await outbox.drain();
  };

  const run = async (): Promise<void> => {
    try {
      for await (const event of readLines(input, { maxLineBytes })) {
        try {
          if (event.kind === 'oversized') {
            sendError(null, {
              code: JsonRpcErrorCode.InvalidRequest,
              message: `line too long: ${event.bytes} bytes (limit ${maxLineBytes})`,
            });
          } else {
            // Lines sent right behind initialize wait for its answer, so a client may pipeline them.
            if (init === 'pending') await initializing;
            if (init === 'done' && requestSchemas === null) {
              requestSchemas = await loadRequestSchemas().catch((err: unknown) => {
                log(`cannot load the request schemas: ${errorMessage(err)}`);
                return null;
              });
            }
            onLine(event.text);
          }
        } catch (err) {
          log(`unexpected failure handling a line: ${errorMessage(err)}`);
        }
      }
    } catch (err) {
      log(`input failed, closing: ${errorMessage(err)}`);
    }
    await shutdown();
  };

  const sendRequest = (method: string, params: unknown): ServerRequestHandle => {
    const id = nextServerId++;
    const response = new Promise<unknown>((resolve, reject) => {
      if (closing) return reject(new RequestAbandonedError(id, 'closed'));
      pending.set(id, { method, resolve, reject });
      try {
        outbox.send({ id, method, params });
      } catch (err) {
        pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    // Callers that never look at the answer must not cause unhandled rejections.
    response.catch(() => {});
    return { id, response };
  };

  const connection: Connection = {
    notify(method, params) {
      try {
        outbox.send({ method, params, emittedAtMs: Date.now() });
      } catch (err) {
        log(`dropping notification ${method}: ${errorMessage(err)}`);
      }
    },
    sendRequest,
    request: (method, params) => sendRequest(method, params).response,
    cancelRequest(id) {
      const entry = pending.get(id);
      if (entry === undefined) return false;
      pending.delete(id);
      entry.reject(new RequestAbandonedError(id, 'cancelled'));
      return true;
    },
    get initialized() {
      return init === 'done';
    },
    get stats() {
      return outbox.stats;
    },
    // run() cannot reach `connection` before this literal is assigned: reading lines always awaits first.
    closed: run().catch((err: unknown) => log(`connection failed: ${errorMessage(err)}`)),
  };
  return connection;
};
