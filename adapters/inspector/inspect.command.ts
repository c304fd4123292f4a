import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { locateTrace, machineDefinitions, readTrace, statecraftHome, type TraceTarget } from '../../actors/runtime/index.js';
import { drawMachine } from './charts.js';
import type { PageData } from './page.data.js';
import { inspectorPage } from './page.html.js';

export interface InspectFlags {
  last: boolean;
  machines: boolean;
  port?: number;
  open: boolean;
  export?: string;
}

interface InspectIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** What `inspect` was asked to show: a trace (by file, thread id or --last), or the charts alone. */
function targetOf(target: string | undefined, flags: InspectFlags): TraceTarget | null {
  if (flags.machines) return null;
  if (flags.last) return { last: true };
  if (!target) throw new Error('name a thread id or a trace file, or pass --last (or --machines for the charts alone)');
  return target.includes('/') || target.endsWith('.jsonl') ? { file: target } : { threadId: target };
}

async function pageData(target: TraceTarget | null, home: string): Promise<PageData> {
  const charts = await Promise.all(machineDefinitions().map(drawMachine));
  if (!target) return { title: 'statecraft machines', charts, records: [], warnings: [] };
  const path = await locateTrace(home, target);
  const { records, warnings } = await readTrace(path);
  const meta = records[0];
  return { title: `statecraft trace of thread ${meta?.k === 'meta' ? meta.threadId : path}`, charts, records, warnings };
}

/** Opens the URL in a browser when the system has an opener; says so when it has none. */
function openBrowser(url: string, io: InspectIo): void {
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', () => io.stderr.write(`statecraft inspect: no browser opener (xdg-open) here; open ${url} yourself\n`));
  child.unref();
}

/** Serves the page on 127.0.0.1 until the process is stopped; resolves with the URL once listening. */
async function serve(html: string, port: number): Promise<string> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method !== 'GET' || (path !== '/' && path !== '/index.html')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the inspector serves only /\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** `statecraft inspect`: the machines and a recorded thread's trace, in the browser or as one HTML file. */
export async function runInspect(target: string | undefined, flags: InspectFlags, io: InspectIo): Promise<number> {
  try {
    const data = await pageData(targetOf(target, flags), statecraftHome(io.env));
    for (const warning of data.warnings) io.stderr.write(`warning: ${warning}\n`);
    const html = await inspectorPage(data);
    if (flags.export) {
      await writeFile(flags.export, html);
      io.stdout.write(`wrote ${flags.export}\n`);
      return 0;
    }
    const url = await serve(html, flags.port ?? 0);
    io.stdout.write(`${url}\n`);
    if (flags.open) openBrowser(url, io);
    return 0;
  } catch (error) {
    io.stderr.write(`statecraft inspect: ${(error as Error).message}\n`);
    return 1;
  }
}
