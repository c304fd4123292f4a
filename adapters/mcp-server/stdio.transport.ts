import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../../protocol/index.js';
import { readLines } from '../shared/index.js';

export interface LineTransportOptions {
  input: Readable;
  output: Writable;
  log: (line: string) => void;
  /** Lines longer than this are answered with an error and skipped. */
  maxLineBytes: number;
}

/** The id a broken message carried, when it carried a usable one; JSON-RPC answers the rest with id null. */
const idOf = (value: unknown): string | number | null => {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const { id } = value;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
};

/**
 * MCP's stdio transport: one JSON-RPC message per line each way. Unlike the SDK's own, it
 * answers what it cannot read (not JSON, not JSON-RPC, a line over the limit) with a JSON-RPC
 * error and goes on reading, and it reports the end of the input as the end of the session.
 */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;

  constructor(private readonly options: LineTransportOptions) {
    options.output.on('error', (error: Error) => {
      options.log(`cannot write to the client: ${error.message}; ending the session`);
      void this.close();
    });
  }

  async start(): Promise<void> {
    void this.read().finally(() => void this.close());
  }

  /** Resolves once the output took the message in, so a slow client slows the sender down. */
  async send(message: JSONRPCMessage): Promise<void> {
    const { output } = this.options;
    if (this.write(message)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        output.off('drain', done);
        output.off('close', done);
        resolve();
      };
      output.on('drain', done);
      output.on('close', done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  /** Whether the output can take more at once; a closed session writes nothing. */
  private write(message: unknown): boolean {
    const { output } = this.options;
    if (this.closed || output.writableEnded || output.destroyed) return true;
    return output.write(`${JSON.stringify(message)}\n`);
  }

  private reject(id: string | number | null, code: number, message: string): void {
    this.options.log(message);
    this.write({ jsonrpc: '2.0', id, error: { code, message } });
  }

  private async read(): Promise<void> {
    const { maxLineBytes } = this.options;
    try {
      for await (const event of readLines(this.options.input, { maxLineBytes })) {
        if (this.closed) return;
        if (event.kind === 'oversized') {
          this.reject(null, ErrorCode.InvalidRequest, `message too long: ${event.bytes} bytes (the limit is ${maxLineBytes}); it was skipped`);
          continue;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(event.text);
        } catch (error) {
          this.reject(null, ErrorCode.ParseError, `parse error: ${errorMessage(error)}; send one JSON-RPC message per line`);
          continue;
        }
        const message = JSONRPCMessageSchema.safeParse(parsed);
        if (!message.success) {
          this.reject(
            idOf(parsed),
            ErrorCode.InvalidRequest,
            `invalid JSON-RPC message: ${event.text.slice(0, 200)}: expected {"jsonrpc": "2.0", "method": ..., "params": ...} with an "id" for a request, or a response`,
          );
          continue;
        }
        this.onmessage?.(message.data);
      }
    } catch (error) {
      this.onerror?.(new Error(`cannot read the client's messages: ${errorMessage(error)}`));
    }
  }
}
