/**
 * MCP start-up figures for `npm run bench`: the time from `thread/start` to the first model
 * request on the app-server with no MCP server, with the slowest of five alone, and with all
 * five (stdio servers, `slow.mcp.server.mjs`, that wait before serving). Servers start concurrently, so five
 * should add about what the slowest adds alone, not the sum of their delays. Nothing is asserted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startScriptedServer } from '../../actors/model/index.js';
import { spawnAppServer } from '../support/appServer.js';
import { median } from './measure.js';
import { fmt, record, say } from './report.js';

const RUNS = 3;
const SLOW_SERVER = fileURLToPath(new URL('./slow.mcp.server.mjs', import.meta.url));
/** Each server's wait before it serves; the last is the slowest. */
const DELAYS_MS = [200, 300, 400, 500, 600];

type Json = any;

/** One app-server run: thread/start, then turn/start at once; milliseconds from sending thread/start until the model is asked. */
async function timeToFirstRequest(root: string, servers: number[]): Promise<number> {
  const model = await startScriptedServer({ script: { turns: [[{ text: 'Hi.' }]] } });
  const home = await mkdtemp(join(root, 'home-'));
  const tables = servers.map(
    (delay, i) => `[mcp_servers.slow${i}]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(SLOW_SERVER)}, "${delay}"]\n`,
  );
  await writeFile(
    join(home, 'config.toml'),
    ['model_provider = "bench"', '', '[model_providers.bench]', 'name = "bench"', `base_url = "${model.url}"`, '', ...tables].join('\n'),
  );
  const proc = spawnAppServer(home, root);
  const waiting = new Map<number, (msg: Json) => void>();
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.id !== undefined && !msg.method) waiting.get(msg.id)?.(msg);
  });
  let nextId = 1;
  const call = (method: string, params: Json): Promise<Json> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${JSON.stringify(msg.error)}`)) : resolve(msg.result)));
      proc.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  try {
    await call('initialize', { clientInfo: { name: 'bench', version: '0' } });
    proc.stdin.write(`${JSON.stringify({ method: 'initialized' })}\n`);
    const started = performance.now();
    const { thread } = await call('thread/start', { cwd: root });
    await call('turn/start', { threadId: thread.id, input: [{ type: 'text', text: 'hi', text_elements: [] }] });
    while (model.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    return performance.now() - started;
  } finally {
    proc.stdin.end();
    await proc;
    await model.close();
  }
}

export async function runMcpBench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-bench-mcp-'));
  try {
    const none: number[] = [];
    const slowest: number[] = [];
    const five: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      none.push(await timeToFirstRequest(root, []));
      slowest.push(await timeToFirstRequest(root, [DELAYS_MS.at(-1)!]));
      five.push(await timeToFirstRequest(root, DELAYS_MS));
    }
    const [base, alone, all] = [median(none), median(slowest), median(five)];
    const addedBySlowest = alone - base;
    const addedByFive = all - base;
    const sum = DELAYS_MS.reduce((total, delay) => total + delay, 0);
    say(
      `thread/start to first model request: ${fmt(base)} ms with no MCP server; ${fmt(alone)} ms with the slowest server alone (+${fmt(addedBySlowest)} ms); ` +
        `${fmt(all)} ms with five (+${fmt(addedByFive)} ms; their start delays sum to ${sum} ms); ratio five/slowest-alone added ${fmt(addedByFive / addedBySlowest, 2)}x (median of ${RUNS})`,
    );
    record(
      { key: 'mcp.firstRequest.noServersMs', unit: 'ms', value: base, runs: RUNS },
      { key: 'mcp.firstRequest.slowestServerMs', unit: 'ms', value: alone, versus: { name: 'no MCP server', value: base, ratio: alone / base }, runs: RUNS },
      {
        key: 'mcp.firstRequest.fiveServersMs',
        unit: 'ms',
        value: all,
        versus: { name: 'slowest server alone', value: alone, ratio: all / alone },
        runs: RUNS,
      },
      {
        key: 'mcp.firstRequest.fiveServersAddedMs',
        unit: 'ms',
        value: addedByFive,
        versus: { name: 'sum of the start delays', value: sum, ratio: addedByFive / sum },
      },
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
