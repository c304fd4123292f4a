/** The schema generators write readable files. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from './client.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const listAll = async (root: string): Promise<string[]> => {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
};

describe('app-server schema generators', () => {
  it('generate-json-schema writes parseable JSON, including ThreadStartParams', async () => {
    dir = await mkdtemp(join(tmpdir(), 'statecraft-schema-'));
    const out = join(dir, 'json');
    const run = await execa('node', [CLI, 'app-server', 'generate-json-schema', '--out', out], { reject: false });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    const files = await listAll(out);
    expect(files.length).toBeGreaterThan(1);
    const jsonFiles = files.filter((p) => p.endsWith('.json'));
    expect(jsonFiles.length).toBeGreaterThan(1);
    for (const file of jsonFiles) {
      const parsed = JSON.parse(await readFile(file, 'utf8'));
      expect(typeof parsed, file).toBe('object');
    }
    expect(
      files.some((p) => /ThreadStartParams\.json$/.test(p)),
      files.join('\n'),
    ).toBe(true);
    expect(run.stdout).toContain(`wrote ${files.length} files`);
  });

  it('generate-ts writes declarations, including ThreadStartParams', async () => {
    dir = await mkdtemp(join(tmpdir(), 'statecraft-schema-'));
    const out = join(dir, 'ts');
    const run = await execa('node', [CLI, 'app-server', 'generate-ts', '--out', out], { reject: false });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    const files = await listAll(out);
    const start = files.find((p) => /ThreadStartParams\.ts$/.test(p));
    expect(start, files.join('\n')).toBeDefined();
    expect(await readFile(start!, 'utf8')).toMatch(/ThreadStartParams/);
    expect(files.every((p) => p.endsWith('.ts'))).toBe(true);
  });
});
