import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePatch, PatchError, planPatch } from '../../../actors/patch/index.js';
import { readTree, tempDir, writeTree, workspaces } from './helpers.js';

const root = tempDir();
const outside = tempDir();
afterAll(() => {
  root.remove();
  outside.remove();
});

const workspace = workspaces(root.path);

const wrap = (body: string): string => `*** Begin Patch\n${body}*** End Patch\n`;
const plan = (cwd: string, body: string) => planPatch(parsePatch(wrap(body)), { cwd });

describe('planPatch', () => {
  it('matches the reference fileChange shapes for add and update', async () => {
    const cwd = workspace({ 'README.md': 'hello\n' });
    const added = await plan(cwd, '*** Add File: hello.txt\n+hello world\n+second line\n');
    expect(added.changes).toEqual([
      {
        path: join(cwd, 'hello.txt'),
        kind: 'add',
        movePath: null,
        oldContent: null,
        newContent: 'hello world\nsecond line\n',
        diff: 'hello world\nsecond line\n',
        outsideCwd: false,
      },
    ]);
    const updated = await plan(cwd, '*** Update File: README.md\n@@\n-hello\n+hello patched\n');
    expect(updated.changes[0]).toMatchObject({ kind: 'update', movePath: null, diff: '@@ -1 +1 @@\n-hello\n+hello patched\n' });
  });

  it('writes nothing', async () => {
    const cwd = workspace({ 'a.txt': 'a\n' });
    await plan(cwd, '*** Add File: b.txt\n+b\n*** Delete File: a.txt\n');
    expect(readTree(cwd)).toEqual({ 'a.txt': 'a\n' });
  });

  it('gives the old content as the diff of a delete', async () => {
    const cwd = workspace({ 'a.txt': 'old\ncontent\n' });
    const { changes } = await plan(cwd, '*** Delete File: a.txt\n');
    expect(changes[0]).toMatchObject({ kind: 'delete', oldContent: 'old\ncontent\n', newContent: null, diff: 'old\ncontent\n' });
  });

  it('shows update diffs with one line of context', async () => {
    const cwd = workspace({ 'f.txt': 'a\nb\nc\nd\ne\n' });
    const { changes } = await plan(cwd, '*** Update File: f.txt\n@@\n c\n-d\n+D\n');
    expect(changes[0]!.diff).toBe('@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n');
  });

  it('resolves a move destination and flags nothing inside cwd', async () => {
    const cwd = workspace({ 'a.txt': 'x\n' });
    const { changes } = await plan(cwd, '*** Update File: a.txt\n*** Move to: sub/b.txt\n@@\n-x\n+y\n');
    expect(changes[0]).toMatchObject({ path: join(cwd, 'a.txt'), movePath: join(cwd, 'sub/b.txt'), outsideCwd: false, newContent: 'y\n' });
  });

  it('flags a path that climbs out with ..', async () => {
    const cwd = workspace({});
    const { changes } = await plan(cwd, '*** Add File: ../escaped.txt\n+x\n');
    expect(changes[0]).toMatchObject({ path: join(root.path, 'escaped.txt'), outsideCwd: true });
  });

  it('flags an absolute path elsewhere but not one inside cwd', async () => {
    const cwd = workspace({});
    const { changes } = await plan(cwd, `*** Add File: ${outside.path}/abs.txt\n+x\n*** Add File: ${cwd}/in.txt\n+y\n`);
    expect(changes.map((c) => c.outsideCwd)).toEqual([true, false]);
  });

  it('flags a path through a directory symlink that leaves cwd', async () => {
    const cwd = workspace({});
    writeTree(outside.path, { 'target/file.txt': 'secret\n' });
    symlinkSync(join(outside.path, 'target'), join(cwd, 'link'));
    const { changes } = await plan(cwd, '*** Update File: link/file.txt\n@@\n-secret\n+changed\n*** Add File: link/new/deep.txt\n+x\n');
    expect(changes.map((c) => c.outsideCwd)).toEqual([true, true]);
    expect(changes[0]!.path).toBe(join(cwd, 'link/file.txt'));
  });

  it('flags a file symlink that points outside cwd', async () => {
    const cwd = workspace({});
    writeTree(outside.path, { 'single.txt': 'one\n' });
    symlinkSync(join(outside.path, 'single.txt'), join(cwd, 'single.txt'));
    const { changes } = await plan(cwd, '*** Update File: single.txt\n@@\n-one\n+two\n');
    expect(changes[0]).toMatchObject({ outsideCwd: true, newContent: 'two\n' });
  });

  it('flags a move whose destination is outside cwd', async () => {
    const cwd = workspace({ 'a.txt': 'x\n' });
    const { changes } = await plan(cwd, `*** Update File: a.txt\n*** Move to: ${outside.path}/moved.txt\n`);
    expect(changes[0]).toMatchObject({ outsideCwd: true, movePath: join(outside.path, 'moved.txt') });
  });

  it('reads through a supplied readFile', async () => {
    const files: Record<string, string> = { '/virtual/f.txt': 'a\nb\n' };
    const readFile = async (path: string): Promise<string> => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return content;
    };
    const parsed = parsePatch(wrap('*** Update File: f.txt\n@@\n-b\n+c\n*** Add File: g.txt\n+g\n'));
    const { changes } = await planPatch(parsed, { cwd: '/virtual', readFile });
    expect(changes.map((c) => c.newContent)).toEqual(['a\nc\n', 'g\n']);
  });

  it('refuses a directory where a file is expected', async () => {
    const cwd = workspace({ 'dir/inner.txt': 'x\n' });
    await expect(plan(cwd, '*** Delete File: dir\n')).rejects.toThrow(PatchError);
  });

  it('keeps CRLF in the diff of a CRLF file', async () => {
    const cwd = workspace({ 'w.txt': 'a\r\nb\r\n' });
    const { changes } = await plan(cwd, '*** Update File: w.txt\n@@\n-b\n+c\n');
    expect(changes[0]!.newContent).toBe('a\r\nc\r\n');
    expect(changes[0]!.diff).toBe('@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n');
  });

  it('reports a missing final newline in the diff', async () => {
    const cwd = workspace({ 'n.txt': 'a\nb' });
    const { changes } = await plan(cwd, '*** Update File: n.txt\n@@\n-b\n+c\n');
    expect(changes[0]!.diff).toBe('@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n');
  });

  it('prefers the strictest match: an exact line beats a whitespace-drifted twin', async () => {
    const cwd = workspace({ 'f.txt': '  item\nitem\n' });
    const { changes } = await plan(cwd, '*** Update File: f.txt\n@@\n-item\n+ITEM\n');
    expect(changes[0]!.newContent).toBe('  item\nITEM\n');
  });

  it('calls two drifted twins ambiguous', async () => {
    const cwd = workspace({ 'f.txt': '  item\n\titem\n' });
    await expect(plan(cwd, '*** Update File: f.txt\n@@\n-item\n+ITEM\n')).rejects.toThrow(/ambiguous.*lines 1 and 2/);
  });

  it('plans 500 hunks on a 50,000-line file', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    const cwd = workspace({ 'big.txt': `${lines.join('\n')}\n` });
    let body = '*** Update File: big.txt\n';
    const expected = [...lines];
    for (let h = 0; h < 500; h++) {
      const k = h * 100 + 50;
      body += `@@\n ${lines[k - 1]}\n-${lines[k]}\n+changed ${k}\n ${lines[k + 1]}\n`;
      expected[k] = `changed ${k}`;
    }
    const { changes } = await plan(cwd, body);
    expect(changes[0]!.newContent).toBe(`${expected.join('\n')}\n`);
    expect(changes[0]!.diff.match(/^@@ /gm)).toHaveLength(500);
  });
});
