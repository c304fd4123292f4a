/**
 * How the bench measures: whole processes timed from outside, and pairs of commands run in
 * turn (A B A B ...) so that a machine whose speed drifts during the run moves both alike;
 * a ratio is the median of the pairs' ratios, each figure the median of its runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execa, type Options } from 'execa';
import { peakRssKb } from '../support/processes.js';

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The processes started by `pid`, and theirs, as far as /proc lists them now. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const walk = (parent: number) => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/**
 * Samples the peak resident memory of the largest single process in `pid`'s tree (Codex's
 * launcher hands over to a native child, statecraft runs in its first process) until stopped.
 */
export function treePeakSampler(pid: number, everyMs = 10): { stop(): number | null } {
  const peaks = new Map<number, number>();
  const sample = () => {
    for (const each of [pid, ...descendants(pid)]) {
      const kb = peakRssKb(each);
      if (kb !== null) peaks.set(each, Math.max(kb, peaks.get(each) ?? 0));
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks.size > 0 ? Math.max(...peaks.values()) : null;
    },
  };
}

export interface ProcessRun {
  wallMs: number;
  /** User + system CPU of the command and every child it waited for, as the kernel counts it (10 ms steps). */
  cpuMs: number;
  peakKb: number | null;
  stdout: string;
}

const TIMES = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g;

/**
 * Runs `argv` to its end and measures it whole: wall time from spawn to exit, CPU time from the
 * shell's `times` (which counts the waited-for children of the shell, so a launcher's native
 * child is included), peak memory sampled from /proc. A non-zero exit is an error.
 */
export async function runProcess(argv: string[], options: Options = {}): Promise<ProcessRun> {
  const started = performance.now();
  const child = execa('sh', ['-c', '"$@"; status=$?; times >&2; exit $status', 'sh', ...argv], { stdin: 'ignore', reject: false, ...options });
  const memory = treePeakSampler(child.pid!);
  const result = await child;
  const wallMs = performance.now() - started;
  const peakKb = memory.stop();
  const stderr = String(result.stderr);
  const times = [...stderr.matchAll(TIMES)].at(-1);
  if (result.exitCode !== 0 || !times) {
    throw new Error(`${argv.join(' ')} failed (exit ${result.exitCode}): ${stderr.slice(-2000)}`);
  }
  const cpuMs = (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000;
  return { wallMs, cpuMs, peakKb, stdout: String(result.stdout) };
}

export interface Paired<T> {
  a: T[];
  b: T[];
}

/** Runs `a` then `b`, `pairs` times over (A B A B ...), after one unmeasured run of each. */
export async function alternate<T>(pairs: number, a: () => Promise<T>, b: () => Promise<T>): Promise<Paired<T>> {
  await a();
  await b();
  const result: Paired<T> = { a: [], b: [] };
  for (let i = 0; i < pairs; i++) {
    result.a.push(await a());
    result.b.push(await b());
  }
  return result;
}

/** The medians of one measure of both sides and the median of its pairwise ratios a/b. */
export function compare<T>(paired: Paired<T>, measure: (run: T) => number | null): { a: number; b: number; ratio: number } | null {
  const a = paired.a.map(measure);
  const b = paired.b.map(measure);
  if (a.some((value) => value === null) || b.some((value) => value === null)) return null;
  const ratios = a.map((value, i) => value! / b[i]!);
  return { a: median(a as number[]), b: median(b as number[]), ratio: median(ratios) };
}

/** Reading the same SSE stream with a plain fetch: the floor for streaming throughput. */
export async function rawStreamMs(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', input: [], stream: true }),
  });
  await response.text();
  return performance.now() - started;
}
