import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findProjectRoot, findRepositoryRoot } from '../../../actors/config/index.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tree = () => {
  const root = mkdtempSync(join(tmpdir(), 'statecraft-root-'));
  made.push(root);
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  return root;
};

describe('finding the repository a directory lies in', () => {
  it('takes a .git directory with a HEAD, or a .git file, as git does', async () => {
    const root = tree();
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expect(await findRepositoryRoot(join(root, 'a', 'b'))).toBe(root);
    writeFileSync(join(root, 'a', '.git'), 'gitdir: ../.git/worktrees/a\n');
    expect(await findRepositoryRoot(join(root, 'a', 'b'))).toBe(join(root, 'a'));
  });

  it("passes over an empty .git, such as the sandbox's placeholder in a shared temp dir", async () => {
    const root = tree();
    mkdirSync(join(root, 'a', '.git'));
    expect(await findRepositoryRoot(join(root, 'a', 'b'))).toBe(null);
    expect(await findProjectRoot(join(root, 'a', 'b'))).toBe(join(root, 'a', 'b'));
  });
});
