import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, parsePatch, PatchError, planPatch } from '../../../actors/patch/index.js';
import { CASES } from './corpus.js';
import { readTree, tempDir, writeTree } from './helpers.js';

const dirs: Array<{ remove: () => void }> = [];
afterAll(() => dirs.forEach((dir) => dir.remove()));

async function run(patch: string, cwd: string): Promise<void> {
  const plan = await planPatch(parsePatch(patch), { cwd });
  await applyPlan(plan);
}

describe('patch corpus', () => {
  it('has at least 30 cases with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const dir = tempDir();
      dirs.push(dir);
      writeTree(dir.path, testCase.before);
      if (testCase.error !== undefined) {
        const error = await run(testCase.patch, dir.path).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(PatchError);
        const patchError = error as PatchError;
        expect(patchError.message).toContain(testCase.error);
        if (testCase.errorFile !== undefined) expect(patchError.file).toBe(testCase.errorFile);
        if (testCase.errorLine !== undefined) expect(patchError.line).toBe(testCase.errorLine);
        expect(readTree(dir.path)).toEqual(testCase.before);
      } else {
        await run(testCase.patch, dir.path);
        expect(readTree(dir.path)).toEqual(testCase.after);
      }
    });
  }
});
