import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A header of a response by name, as `Headers.get` reads one: null when absent, repeats joined. */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** The status line and headers of an answer; its body streams from `body`. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: HeaderLookup;
  body: IncomingMessage;
}

/**
 * Sends one request to `url` with Node's own HTTP client: a POST with `body`, or a GET when
 * `body` is null. Global fetch would do the same, but the
 * first fetch of a process loads undici and compiles its WebAssembly HTTP parser, tens of
 * milliseconds that every `statecraft exec` would pay before its first token.
 * Aborting the signal rejects a request still waiting for its answer and cuts a body still
 * arriving; a body that has ended is left alone (its connection goes back to the pool).
 */
export function send(url: URL, headers: Record<string, string>, body: string | null, signal: AbortSignal): Promise<HttpAnswer> {
  const transport = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null;
  if (!transport) return Promise.reject(new Error(`unsupported protocol ${url.protocol} in ${url.href} (use http or https)`));
  // Callers tell an abort by their signal; the error only has to say what happened.
  const aborted = () => new Error(`the request to ${url.href} was aborted`, { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    let answer: IncomingMessage | null = null;
    // Destroyed without an error: a socket error that no one listens for would end the process.
    const abort = () => {
      if (answer) answer.destroy();
      else {
        request.destroy();
        reject(aborted());
      }
    };
    const options = body === null ? { method: 'GET', headers } : { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } };
    const request = transport(url, options, (response) => {
      answer = response;
      response.once('close', () => signal.removeEventListener('abort', abort));
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: {
          get: (name) => {
            const value = response.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
        },
        body: response,
      });
    });
    signal.addEventListener('abort', abort, { once: true });
    request.on('error', (error) => {
      signal.removeEventListener('abort', abort);
      reject(error);
    });
    request.end(body ?? undefined);
  });
}
