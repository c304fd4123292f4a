import { mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryHolder, HeldDirectory } from '../../../actors/patch/held.dir.js';
import { PatchError } from '../../../actors/patch/index.js';
import { readTree, tempDir } from './helpers.js';

const root = tempDir();
afterAll(() => root.remove());
let counter = 0;

/** A workspace with a directory `inner` and a victim directory beside it. */
function scene() {
  const base = join(root.path, `scene${counter++}`);
  mkdirSync(join(base, 'ws', 'inner'), { recursive: true });
  mkdirSync(join(base, 'victim'));
  return { ws: join(base, 'ws'), victim: join(base, 'victim') };
}

describe('HeldDirectory', () => {
  it.runIf(process.platform === 'linux')('keeps writing into the directory it opened after a symlink is swapped into its path', async () => {
    const { ws, victim } = scene();
    const dir = await HeldDirectory.open(join(ws, 'inner'));
    try {
      // Between the check and the write: the directory moves away and a link out takes its place.
      renameSync(join(ws, 'inner'), join(ws, 'moved'));
      symlinkSync(victim, join(ws, 'inner'));
      const file = await open(await dir.at('x.txt'), 'wx');
      await file.writeFile('x\n');
      await file.close();
    } finally {
      await dir.close();
    }
    expect(readdirSync(victim)).toEqual([]);
    expect(readTree(ws)).toEqual({ inner: `-> ${victim}`, 'moved/x.txt': 'x\n' });
  });

  it('refuses a directory whose path now leads elsewhere', async () => {
    const { ws, victim } = scene();
    symlinkSync(victim, join(ws, 'link'));
    await expect(HeldDirectory.open(join(ws, 'link'))).rejects.toThrow(PatchError);
    await expect(HeldDirectory.open(join(ws, 'link'))).rejects.toThrow(/changed after the patch was checked \(it now leads to .*victim\)/);
  });

  it('refuses a file where a directory was expected', async () => {
    const { ws } = scene();
    writeFileSync(join(ws, 'file'), '');
    await expect(HeldDirectory.open(join(ws, 'file'))).rejects.toThrow(/no longer a directory/);
  });
});

describe('DirectoryHolder', () => {
  it('creates missing directories and remembers them, deepest last', async () => {
    const { ws } = scene();
    const holder = new DirectoryHolder();
    try {
      const dir = await holder.hold(join(ws, 'a', 'b'), true);
      expect(dir.path).toBe(join(ws, 'a', 'b'));
      expect(holder.created.map(({ parent, name }) => join(parent.path, name))).toEqual([join(ws, 'a'), join(ws, 'a', 'b')]);
    } finally {
      await holder.release();
    }
  });

  it('does not create anything through a link out in the path', async () => {
    const { ws, victim } = scene();
    symlinkSync(victim, join(ws, 'link'));
    const holder = new DirectoryHolder();
    await expect(holder.hold(join(ws, 'link', 'new'), true)).rejects.toThrow(PatchError);
    await holder.release();
    expect(readdirSync(victim)).toEqual([]);
  });
});
