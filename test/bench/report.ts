/**
 * What the bench reports: each figure as a line for people and as a record for tools. With
 * `--json` the lines go to stderr and stdout gets one JSON document at the end (CI prints it).
 * Nothing is asserted here; the figures are for reading side by side.
 */
import { cpus, loadavg } from 'node:os';

export interface Figure {
  /** A stable name for tools, e.g. "exec.textTurn.wallMs". */
  key: string;
  unit: 'ms' | 'MiB' | 'per s' | 'x';
  /** statecraft's figure (a median where runs are repeated); null when it could not be measured. */
  value: number | null;
  /** What the figure is held against in the same run (Codex, a bare node start, a raw stream), with the median ratio value / that. */
  versus?: { name: string; value: number; ratio: number };
  runs?: number;
}

const figures: Figure[] = [];
let json = false;

/** Sends the lines to stderr and keeps stdout for the JSON document. */
export function reportAsJson(): void {
  json = true;
}

/** A line for people. */
export function say(line: string): void {
  (json ? process.stderr : process.stdout).write(`${line}\n`);
}

/** Keeps figures for the JSON document (callers say the line themselves). */
export function record(...recorded: Figure[]): void {
  figures.push(...recorded);
}

/** The JSON document: every figure, and what the machine was doing while they were taken. */
export function finish(extra: Record<string, unknown>): void {
  if (!json) return;
  const [one, five, fifteen] = loadavg();
  const document = { node: process.version, cores: cpus().length, loadAverage: { one, five, fifteen }, ...extra, figures };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

export const fmt = (value: number, digits = 1) => value.toFixed(digits);
export const mib = (kb: number) => kb / 1024;
