import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { locateTrace, readTrace, statecraftHome, type TraceTarget } from '../../actors/runtime/index.js';
import type { PageData } from './page.data.js';
import { inspectorPage, machineCharts } from './page.html.js';
import { servePage } from './serve.js';

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
  const charts = await machineCharts();
  if (!target) return { title: 'statecraft machines', charts, records: [], warnings: [], live: false };
  const path = await locateTrace(home, target);
  const { records, warnings } = await readTrace(path);
  const meta = records[0];
  return { title: `statecraft trace of thread ${meta?.k === 'meta' ? meta.threadId : path}`, charts, records, warnings, live: false };
}

/** Opens the URL in a browser when the system has an opener; says so when it has none. */
function openBrowser(url: string, io: InspectIo): void {
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', () => io.stderr.write(`statecraft inspect: no browser opener (xdg-open) here; open ${url} yourself\n`));
  child.unref();
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
    const { url } = await servePage(flags.port ?? 0, { html });
    io.stdout.write(`${url}\n`);
    if (flags.open) openBrowser(url, io);
    return 0;
  } catch (error) {
    io.stderr.write(`statecraft inspect: ${(error as Error).message}\n`);
    return 1;
  }
}
