import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecSpec } from '../../../actors/exec/index.js';

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'exec-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const envOf = () => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));

export function spec(command: string, cwd: string, extra: Partial<ExecSpec> = {}): ExecSpec {
  return {
    command,
    displayCommand: `/bin/bash -c ${command}`,
    cwd,
    shell: '/bin/bash',
    login: false,
    tty: false,
    yieldTimeMs: 10_000,
    maxOutputTokens: null,
    env: envOf(),
    sandbox: null,
    ...extra,
  };
}

/** Collects streamed chunks with the time each arrived. */
export function collector() {
  const chunks: { text: string; at: number }[] = [];
  return { chunks, onOutput: (text: string) => chunks.push({ text, at: Date.now() }), text: () => chunks.map((c) => c.text).join('') };
}

/** Is any process of this group still running (zombies do not count)? */
export function groupRunning(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return livingMembers(pgid) > 0;
}

function livingMembers(pgid: number): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state, fields[2] the process group.
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}
