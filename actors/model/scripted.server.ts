import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from './retry.js';
import { Script, type ScriptItem, type ScriptModels, type ScriptTurn } from './script.schema.js';
import { ChatChunks } from './scripted.chat.js';
import type { Emission, ScriptedUsage } from './scripted.items.js';
import { ResponsesEvents } from './scripted.responses.js';

export interface ScriptedServer {
  /** Base URL for a provider, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  /** Parsed JSON bodies of the model requests, in arrival order. */
  requests: unknown[];
  /** The headers of each model request, same order as `requests`. */
  headers: IncomingHttpHeaders[];
  /** The path and query of each model request, same order as `requests`. */
  paths: string[];
  /** The headers of each `GET /v1/models`, in arrival order. */
  modelListHeaders: IncomingHttpHeaders[];
  close(): Promise<void>;
}

const EXHAUSTED: ScriptTurn = [{ text: '(scripted model: no more turns in the script)' }];

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const errorType = (status: number) => (status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error');

function answerModelList(res: ServerResponse, models: ScriptModels): void {
  if (Array.isArray(models)) {
    sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'statecraft' })) });
  } else if ('error' in models) {
    const { status, message, code } = models.error;
    sendJson(res, status, { error: { message, type: errorType(status), code: code ?? null } });
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(models.body);
  }
}

/** The SSE messages of a streamed turn and whether it ends by cutting the connection. */
function plan(turn: ScriptTurn, chat: boolean, request: number, model: string): { emissions: Emission[]; drop: boolean } {
  let items: ScriptItem[];
  let drop = false;
  let failure: { message: string; code?: string | undefined } | null = null;
  let usage: ScriptedUsage | undefined;
  if (Array.isArray(turn)) items = turn;
  else if ('usage' in turn) {
    items = turn.items;
    usage = turn.usage;
  } else if ('drop' in turn) {
    items = (turn.items ?? []).slice(0, turn.drop.afterItems ?? 0);
    drop = true;
  } else if ('failed' in turn) {
    items = turn.items ?? [];
    failure = turn.failed;
  } else items = [];

  if (chat) {
    const chunks = new ChatChunks(request, model);
    const emissions = [...chunks.start(), ...items.flatMap((item, index) => chunks.item(item, index))];
    if (failure) emissions.push(chunks.failed(failure.message, failure.code));
    else if (!drop) emissions.push(...chunks.finish(usage));
    return { emissions, drop };
  }
  const events = new ResponsesEvents(request, model);
  const emissions = events.start();
  const output: Record<string, unknown>[] = [];
  items.forEach((item, index) => {
    const built = events.item(item, index);
    emissions.push(...built.emissions);
    output.push(built.done);
  });
  if (failure) emissions.push(events.failed(failure.message, failure.code));
  else if (!drop) emissions.push(events.completed(output, usage));
  return { emissions, drop };
}

const sseText = (emission: Emission, chat: boolean): string => {
  if (emission.data === '[DONE]') return 'data: [DONE]\n\n';
  const data = JSON.stringify(emission.data);
  return chat ? `data: ${data}\n\n` : `event: ${String(emission.data.type)}\ndata: ${data}\n\n`;
};

async function play(res: ServerResponse, turn: ScriptTurn, chat: boolean, request: number, model: string): Promise<void> {
  if (!Array.isArray(turn) && 'error' in turn) {
    const { status, message, retryAfterSeconds, code } = turn.error;
    const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
    sendJson(res, status, { error: { message, type: errorType(status), code: code ?? null } }, headers);
    return;
  }
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const { emissions, drop } = plan(turn, chat, request, model);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  for (const emission of emissions) {
    if (emission.delayMs > 0) await sleep(emission.delayMs, gone.signal);
    if (gone.signal.aborted) return;
    res.write(sseText(emission, chat));
  }
  if (drop) {
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    res.socket?.destroy();
    return;
  }
  res.end();
}

/**
 * A model server on 127.0.0.1 that plays a script: each POST to /v1/responses (or
 * /v1/chat/completions, in chat format) gets the next turn, streamed as SSE event by event;
 * GET /v1/models answers the script's model list.
 */
export async function startScriptedServer(options: { script: Script; port?: number }): Promise<ScriptedServer> {
  const script = Script.parse(options.script);
  let next = 0;
  const requests: unknown[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const modelListHeaders: IncomingHttpHeaders[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v1/models') {
      modelListHeaders.push(req.headers);
      answerModelList(res, script.models ?? ['scripted-model']);
      return;
    }
    const chat = path === '/v1/chat/completions';
    if (req.method !== 'POST' || (path !== '/v1/responses' && !chat)) {
      sendJson(res, 404, { error: { message: `no route for ${req.method} ${req.url}`, type: 'invalid_request_error', code: null } });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      sendJson(res, 400, { error: { message: `request body is not JSON: ${(error as Error).message}`, type: 'invalid_request_error', code: null } });
      return;
    }
    requests.push(body);
    headers.push(req.headers);
    paths.push(req.url ?? '');
    const turn = script.turns[next++] ?? EXHAUSTED;
    const model = typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : 'scripted-model';
    await play(res, turn, chat, requests.length, model);
  };

  const server = createServer((req, res) => {
    req.socket.setNoDelay(true);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error', code: null } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    headers,
    paths,
    modelListHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
