import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS_FILE_CAP_BYTES, agentsInstructions, findAgentsFiles } from '../../../actors/prompt/index.js';
import { tempDir } from './fixtures.js';
import { markRepository } from '../../support/git.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function layout() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const home = join(dir, 'home');
  const root = join(dir, 'outer', 'repo');
  const sub = join(root, 'packages', 'app');
  await mkdir(home, { recursive: true });
  await mkdir(sub, { recursive: true });
  await markRepository(root);
  await writeFile(join(dir, 'outer', 'AGENTS.md'), 'above the repo: ignored');
  return { dir, home, root, sub };
}

describe('AGENTS.md discovery', () => {
  it('orders home, repository root, then directories down to cwd', async () => {
    const { home, root, sub } = await layout();
    await writeFile(join(home, 'AGENTS.md'), 'home rules');
    await writeFile(join(root, 'AGENTS.md'), 'root rules');
    await writeFile(join(sub, 'AGENTS.md'), 'app rules');
    expect(await findAgentsFiles(home, sub)).toEqual([join(home, 'AGENTS.md'), join(root, 'AGENTS.md'), join(sub, 'AGENTS.md')]);
    const text = (await agentsInstructions(home, sub)) ?? '';
    expect(text.startsWith(`# AGENTS.md instructions for ${sub}\n\n<INSTRUCTIONS>\n`)).toBe(true);
    expect(text.endsWith('\n</INSTRUCTIONS>')).toBe(true);
    expect(text.indexOf('home rules')).toBeLessThan(text.indexOf('root rules'));
    expect(text.indexOf('root rules')).toBeLessThan(text.indexOf('app rules'));
    expect(text).toContain(join(sub, 'AGENTS.md'));
    expect(text).not.toContain('above the repo');
  });

  it('prefers AGENTS.override.md in the same directory', async () => {
    const { home, root } = await layout();
    await writeFile(join(root, 'AGENTS.md'), 'plain');
    await writeFile(join(root, 'AGENTS.override.md'), 'override');
    const text = (await agentsInstructions(home, root)) ?? '';
    expect(text).toContain('override');
    expect(text).not.toContain('plain');
  });

  it('uses only cwd outside a repository, and returns null with no files', async () => {
    const { dir, home } = await layout();
    const loose = join(dir, 'outer', 'loose');
    await mkdir(loose);
    expect(await agentsInstructions(home, loose)).toBeNull();
    await writeFile(join(loose, 'AGENTS.md'), 'loose rules');
    expect(await findAgentsFiles(home, loose)).toEqual([join(loose, 'AGENTS.md')]);
  });

  it('caps each file and says how much was cut', async () => {
    const { home, root } = await layout();
    const path = join(root, 'AGENTS.md');
    await writeFile(path, 'x'.repeat(AGENTS_FILE_CAP_BYTES + 100));
    const text = (await agentsInstructions(home, root)) ?? '';
    expect(text).toContain(`[truncated: 100 bytes omitted from ${path}]`);
    expect(text.length).toBeLessThan(AGENTS_FILE_CAP_BYTES + 500);
  });
});
