import { chmodSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, parsePatch, PatchError, planPatch, type PatchPlan } from '../../../actors/patch/index.js';
import { readDirs, readTree, tempDir, writeTree, workspaces } from './helpers.js';

const root = tempDir();
afterAll(() => root.remove());

const workspace = workspaces(root.path);

const BEFORE = {
  'keep.txt': 'untouched\n',
  'mod.txt': 'one\ntwo\nthree\n',
  'gone.txt': 'delete me\n',
  'moved/src.txt': 'moving\n',
};
const PATCH = [
  '*** Begin Patch',
  '*** Add File: fresh/nested/new.txt',
  '+brand new',
  '*** Update File: mod.txt',
  '@@',
  ' one',
  '-two',
  '+TWO',
  '*** Delete File: gone.txt',
  '*** Update File: moved/src.txt',
  '*** Move to: moved/dst.txt',
  '@@',
  '-moving',
  '+moved',
  '*** End Patch',
].join('\n');
const AFTER = {
  'keep.txt': 'untouched\n',
  'mod.txt': 'one\nTWO\nthree\n',
  'fresh/nested/new.txt': 'brand new\n',
  'moved/dst.txt': 'moved\n',
};

async function planIn(cwd: string, patch: string): Promise<PatchPlan> {
  return planPatch(parsePatch(patch), { cwd });
}

describe('applyPlan', () => {
  it('applies adds, updates, deletes and moves', async () => {
    const cwd = workspace(BEFORE);
    await applyPlan(await planIn(cwd, PATCH));
    expect(readTree(cwd)).toEqual(AFTER);
  });

  // Steps: 3 writes (add, update, move destination), then 2 removals (delete, move source).
  for (const failAfter of [0, 1, 2, 3, 4, 5]) {
    it(`leaves the tree exactly as it was when failing after ${failAfter} step(s)`, async () => {
      const cwd = workspace(BEFORE);
      const dirsBefore = readDirs(cwd);
      const plan = await planIn(cwd, PATCH);
      await expect(applyPlan(plan, { failAfter })).rejects.toThrow(PatchError);
      expect(readTree(cwd)).toEqual(BEFORE);
      expect(readDirs(cwd)).toEqual(dirsBefore);
    });
  }

  it('rolls back a 3-file patch with failAfter: 1', async () => {
    const before = { 'a.txt': 'a1\na2\n', 'b.txt': 'b1\n', 'c.txt': 'c1\n' };
    const cwd = workspace(before);
    const plan = await planIn(
      cwd,
      '*** Begin Patch\n*** Update File: a.txt\n@@\n-a1\n+A1\n*** Update File: b.txt\n@@\n-b1\n+B1\n*** Delete File: c.txt\n*** End Patch',
    );
    await expect(applyPlan(plan, { failAfter: 1 })).rejects.toThrow(/failAfter/);
    expect(readTree(cwd)).toEqual(before);
  });

  it('changes nothing when a target has become a directory', async () => {
    const cwd = workspace({ 'a.txt': 'a\n' });
    const plan = await planIn(cwd, '*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Add File: later\n+c\n*** End Patch');
    // After planning, a directory appears where the added file should go.
    writeTree(cwd, { 'later/inside.txt': 'i\n' });
    await expect(applyPlan(plan)).rejects.toThrow();
    expect(readTree(cwd)).toEqual({ 'a.txt': 'a\n', 'later/inside.txt': 'i\n' });
  });

  it('undoes committed writes when a later removal really fails', async () => {
    const cwd = workspace({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const plan = await planIn(cwd, '*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Delete File: b.txt\n*** End Patch');
    // The file to delete vanishes after planning, so the unlink fails after a.txt was replaced.
    rmSync(join(cwd, 'b.txt'));
    await expect(applyPlan(plan)).rejects.toThrow(/ENOENT/);
    expect(readTree(cwd)).toEqual({ 'a.txt': 'a\n' });
  });

  it('keeps the mode of an updated file', async () => {
    const cwd = workspace({ 'run.sh': 'echo a\n' });
    chmodSync(join(cwd, 'run.sh'), 0o755);
    await applyPlan(await planIn(cwd, '*** Begin Patch\n*** Update File: run.sh\n@@\n-echo a\n+echo b\n*** End Patch'));
    expect(statSync(join(cwd, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(cwd, 'run.sh'), 'utf8')).toBe('echo b\n');
  });

  it('writes through a symlink and keeps the link', async () => {
    const cwd = workspace({ 'real.txt': 'x\n' });
    symlinkSync('real.txt', join(cwd, 'alias.txt'));
    await applyPlan(await planIn(cwd, '*** Begin Patch\n*** Update File: alias.txt\n@@\n-x\n+y\n*** End Patch'));
    expect(readTree(cwd)).toEqual({ 'alias.txt': '-> real.txt', 'real.txt': 'y\n' });
  });

  it('restores a deleted symlink on rollback', async () => {
    const cwd = workspace({ 'real.txt': 'x\n', 'other.txt': 'o\n' });
    symlinkSync('real.txt', join(cwd, 'alias.txt'));
    const plan = await planIn(cwd, '*** Begin Patch\n*** Delete File: alias.txt\n*** Delete File: other.txt\n*** End Patch');
    await expect(applyPlan(plan, { failAfter: 2 })).rejects.toThrow(PatchError);
    expect(readTree(cwd)).toEqual({ 'alias.txt': '-> real.txt', 'other.txt': 'o\n', 'real.txt': 'x\n' });
  });
});
