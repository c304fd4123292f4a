/** apply_patch figures for `npm run bench`: a 500-hunk patch to a 50,000-line file. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, parsePatch, planPatch } from '../../actors/patch/index.js';
import { fmt, record, say } from './report.js';

export async function runPatchBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'statecraft-bench-patch-'));
  try {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} of the big file`);
    const original = `${lines.join('\n')}\n`;
    let patch = '*** Begin Patch\n*** Update File: big.txt\n';
    for (let h = 0; h < 500; h++) {
      const k = h * 100 + 50;
      patch += `@@\n ${lines[k - 1]}\n-${lines[k]}\n+changed ${k}\n ${lines[k + 1]}\n`;
    }
    patch += '*** End Patch\n';
    const file = join(dir, 'big.txt');

    // Baseline: reading and rewriting the same file, the least any applier must do.
    await writeFile(file, original);
    let started = performance.now();
    await writeFile(file, await readFile(file, 'utf8'));
    const copyMs = performance.now() - started;

    started = performance.now();
    const plan = await planPatch(parsePatch(patch), { cwd: dir });
    const planMs = performance.now() - started;
    started = performance.now();
    await applyPlan(plan);
    const applyMs = performance.now() - started;
    say(
      `500-hunk patch to a 50,000-line file: parse + plan ${fmt(planMs)} ms, atomic write ${fmt(applyMs)} ms; ` +
        `reading and rewriting the file ${fmt(copyMs)} ms; ratio ${fmt((planMs + applyMs) / copyMs, 1)}x`,
    );
    record({
      key: 'patch.bigPatchMs',
      unit: 'ms',
      value: planMs + applyMs,
      versus: { name: 'read and rewrite', value: copyMs, ratio: (planMs + applyMs) / copyMs },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
