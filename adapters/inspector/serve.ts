import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedPage {
  url: string;
  close(): Promise<void>;
}

/** What the server answers: the page at `/`, and, for a live page, its event stream at `/events`. */
interface Routes {
  html: string;
  events?: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * Serves the inspector on 127.0.0.1 (`port` 0: any free one). Requests naming another host are
 * refused, so a web page elsewhere cannot reach the inspector by rebinding a name to 127.0.0.1.
 */
export async function servePage(port: number, routes: Routes): Promise<ServedPage> {
  let origin = '';
  const server = createServer((request, response) => {
    const host = request.headers.host ?? '';
    if (host !== origin.slice('http://'.length) && host !== origin.slice('http://'.length).replace('127.0.0.1', 'localhost')) {
      response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end(`the inspector answers only requests to ${origin}/\n`);
      return;
    }
    const path = new URL(request.url ?? '/', origin).pathname;
    if (request.method === 'GET' && (path === '/' || path === '/index.html')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(routes.html);
      return;
    }
    if (request.method === 'GET' && path === '/events' && routes.events) {
      routes.events(request, response);
      return;
    }
    response
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(`not found: the inspector serves only /${routes.events ? ' and /events' : ''}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
