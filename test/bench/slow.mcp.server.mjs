// A stdio MCP server for the start-up bench that costs next to no CPU: it waits the milliseconds
// given as its argument, then answers initialize and tools/list (one tool) and nothing else.
// Written without the SDK so that starting five at once measures their waiting, not module loading.
import process from 'node:process';
import { createInterface } from 'node:readline';
import { setTimeout } from 'node:timers/promises';

const delay = Number(process.argv[2] ?? 0);
await setTimeout(delay);
const answer = (id, result) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, method, params } = JSON.parse(line);
  if (method === 'initialize') {
    answer(id, { protocolVersion: params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'slow', version: '1.0.0' } });
  } else if (method === 'tools/list') {
    answer(id, { tools: [{ name: 'noop', description: 'Does nothing.', inputSchema: { type: 'object', properties: {} } }] });
  } else if (id !== undefined) {
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: `no method ${method}` } })}\n`);
  }
});
