import { PassThrough, Writable } from 'node:stream';
import { createConnection, type Connection, type ConnectionOptions } from '../../../adapters/app-server/index.js';

type Msg = Record<string, any>;

/** A connection wired to in-memory streams, with helpers to talk to it like a client. */
export interface Harness {
  connection: Connection;
  input: PassThrough;
  output: PassThrough;
  /** Every parsed output line so far. */
  received: Msg[];
  logs: string[];
  /** Writes one line (an object is serialized, a string is sent as is) plus a newline. */
  send(line: Msg | string): void;
  /** Waits for the first message (at or after `from`) matching the predicate. */
  next(match: (m: Msg) => boolean, timeoutMs?: number): Promise<Msg>;
  /** Waits for the response to a client request id. */
  response(id: number | string | null): Promise<Msg>;
  initialize(): Promise<void>;
  end(): Promise<void>;
}

export const initializeParams = { clientInfo: { name: 'test', version: '0.0.1' } };

export const createHarness = (options: Partial<ConnectionOptions> = {}): Harness => {
  const input = new PassThrough();
  const output = new PassThrough();
  const received: Msg[] = [];
  const logs: string[] = [];
  const waiters: Array<{ match: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  let buffered = '';
  output.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl = buffered.indexOf('\n');
    while (nl !== -1) {
      const msg = JSON.parse(buffered.slice(0, nl)) as Msg;
      buffered = buffered.slice(nl + 1);
      received.push(msg);
      for (let i = waiters.length - 1; i >= 0; i -= 1) {
        const w = waiters[i]!;
        if (w.match(msg)) {
          waiters.splice(i, 1);
          w.resolve(msg);
        }
      }
      nl = buffered.indexOf('\n');
    }
  });
  const connection = createConnection({
    input,
    output,
    handlers: {
      initialize: async () => ({ userAgent: 'ua', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' }),
    },
    log: (line) => logs.push(line),
    ...options,
  });
  const next = (match: (m: Msg) => boolean, timeoutMs = 5000): Promise<Msg> => {
    const found = received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  };
  const h: Harness = {
    connection,
    input,
    output,
    received,
    logs,
    send: (line) => {
      input.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
    },
    next,
    response: (id) => next((m) => !('method' in m) && m['id'] === id),
    initialize: async () => {
      h.send({ id: 'init', method: 'initialize', params: initializeParams });
      await h.response('init');
      h.send({ method: 'initialized' });
    },
    end: async () => {
      input.end();
      await connection.closed;
    },
  };
  return h;
};

/** A writable that accepts nothing until released: a client that stopped reading. */
export class StalledWritable extends Writable {
  readonly lines: string[] = [];
  private stalled = true;
  private held: Array<() => void> = [];

  constructor() {
    super({ highWaterMark: 1 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0),
    );
    if (this.stalled) this.held.push(() => cb());
    else cb();
  }

  release(): void {
    this.stalled = false;
    const held = this.held;
    this.held = [];
    for (const cb of held) cb();
  }

  messages(): Array<Record<string, any>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, any>);
  }
}
