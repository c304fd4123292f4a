import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePatch, PatchError, planPatch, unwritableTargets, type PatchPlan } from '../../../actors/patch/index.js';
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
/** For each file the plan writes, whether cwd as the only writable root would refuse it. */
const outsideOf = async (cwd: string, planned: PatchPlan) => {
  const refused = new Set((await unwritableTargets(planned, [cwd])).map((target) => target.path));
  return planned.changes.map((change) => refused.has(change.movePath ?? change.path) || refused.has(change.path));
};

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
        writeTo: join(cwd, 'hello.txt'),
        removes: null,
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
    const planned = await plan(cwd, '*** Update File: a.txt\n*** Move to: sub/b.txt\n@@\n-x\n+y\n');
    expect(planned.changes[0]).toMatchObject({
      path: join(cwd, 'a.txt'),
      movePath: join(cwd, 'sub/b.txt'),
      writeTo: join(cwd, 'sub/b.txt'),
      removes: join(cwd, 'a.txt'),
      newContent: 'y\n',
    });
    expect(await outsideOf(cwd, planned)).toEqual([false]);
  });

  it('flags a path that climbs out with ..', async () => {
    const cwd = workspace({});
    const planned = await plan(cwd, '*** Add File: ../escaped.txt\n+x\n');
    expect(planned.changes[0]).toMatchObject({ path: join(root.path, 'escaped.txt') });
    expect(await outsideOf(cwd, planned)).toEqual([true]);
  });

  it('flags an absolute path elsewhere but not one inside cwd', async () => {
    const cwd = workspace({});
    const planned = await plan(cwd, `*** Add File: ${outside.path}/abs.txt\n+x\n*** Add File: ${cwd}/in.txt\n+y\n`);
    expect(await outsideOf(cwd, planned)).toEqual([true, false]);
  });

  it('flags a path through a directory symlink that leaves cwd', async () => {
    const cwd = workspace({});
    writeTree(outside.path, { 'target/file.txt': 'secret\n' });
    symlinkSync(join(outside.path, 'target'), join(cwd, 'link'));
    const planned = await plan(cwd, '*** Update File: link/file.txt\n@@\n-secret\n+changed\n*** Add File: link/new/deep.txt\n+x\n');
    expect(await outsideOf(cwd, planned)).toEqual([true, true]);
    expect(planned.changes.map((c) => [c.path, c.writeTo])).toEqual([
      [join(cwd, 'link/file.txt'), join(outside.path, 'target/file.txt')],
      [join(cwd, 'link/new/deep.txt'), join(outside.path, 'target/new/deep.txt')],
    ]);
  });

  it('flags a file symlink that points outside cwd', async () => {
    const cwd = workspace({});
    writeTree(outside.path, { 'single.txt': 'one\n' });
    symlinkSync(join(outside.path, 'single.txt'), join(cwd, 'single.txt'));
    const planned = await plan(cwd, '*** Update File: single.txt\n@@\n-one\n+two\n');
    expect(planned.changes[0]).toMatchObject({ writeTo: join(outside.path, 'single.txt'), newContent: 'two\n' });
    expect(await outsideOf(cwd, planned)).toEqual([true]);
  });

  it('flags a move whose destination is outside cwd', async () => {
    const cwd = workspace({ 'a.txt': 'x\n' });
    const planned = await plan(cwd, `*** Update File: a.txt\n*** Move to: ${outside.path}/moved.txt\n`);
    expect(planned.changes[0]).toMatchObject({ movePath: join(outside.path, 'moved.txt') });
    expect(await outsideOf(cwd, planned)).toEqual([true]);
  });

  it('removes a symlink itself on delete, which stays inside cwd wherever it points', async () => {
    const cwd = workspace({});
    writeTree(outside.path, { 'kept.txt': 'kept\n' });
    symlinkSync(join(outside.path, 'kept.txt'), join(cwd, 'pointer.txt'));
    const planned = await plan(cwd, '*** Delete File: pointer.txt\n');
    expect(planned.changes[0]).toMatchObject({ removes: join(cwd, 'pointer.txt'), writeTo: null });
    expect(await outsideOf(cwd, planned)).toEqual([false]);
  });

  it('refuses two spellings of one file in one patch', async () => {
    const cwd = workspace({ 'real.txt': 'a\n' });
    symlinkSync('real.txt', join(cwd, 'alias.txt'));
    await expect(plan(cwd, '*** Update File: real.txt\n@@\n-a\n+b\n*** Update File: alias.txt\n@@\n-a\n+c\n')).rejects.toThrow(
      /alias.txt appears more than once/,
    );
  });

  it('treats a move onto a link to the same file as an update in place', async () => {
    const cwd = workspace({ 'real.txt': 'a\n' });
    symlinkSync('real.txt', join(cwd, 'alias.txt'));
    const { changes } = await plan(cwd, '*** Update File: real.txt\n*** Move to: alias.txt\n@@\n-a\n+b\n');
    expect(changes[0]).toMatchObject({ movePath: null, writeTo: join(cwd, 'real.txt'), removes: null });
  });

  it('follows a dangling symlink to where a write would create the file', async () => {
    const cwd = workspace({});
    symlinkSync(join(outside.path, 'later/file.txt'), join(cwd, 'dangling'));
    const planned = await plan(cwd, '*** Add File: dangling\n+x\n');
    expect(planned.changes[0]).toMatchObject({ writeTo: join(outside.path, 'later/file.txt') });
    expect(await outsideOf(cwd, planned)).toEqual([true]);
  });

  it('names a symlink loop instead of following it forever', async () => {
    const cwd = workspace({ 'a.txt': 'a\n' });
    symlinkSync('loop-b', join(cwd, 'loop-a'));
    symlinkSync('loop-a', join(cwd, 'loop-b'));
    await expect(plan(cwd, '*** Update File: a.txt\n*** Move to: loop-a/x.txt\n')).rejects.toThrow(/too many levels of symbolic links at .*loop-a/);
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
