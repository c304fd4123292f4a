/** apply_patch end to end through the app-server and the CLI. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { Script } from '../../../actors/model/index.js';
import { CLI, scenes, text, type Fixture } from '../appServer/client.js';
import { commitAll, git } from '../../support/git.js';

const scene = scenes();
/** The current test's fixture. */
let f: Fixture;
/** A directory outside every writable root (the temp dirs are writable roots, so not under /tmp). */
let elsewhere: string | null = null;
afterEach(async () => {
  if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  elsewhere = null;
});

const patchCall = (patch: string) => ({ custom: 'apply_patch', input: patch });
const add = (path: string, ...lines: string[]) => `*** Begin Patch\n*** Add File: ${path}\n${lines.map((l) => `+${l}\n`).join('')}*** End Patch\n`;

async function turn(script: Script, policy: string, answer: (msg: any) => any, prepare?: (ws: string) => Promise<void>) {
  f = await scene.open(script);
  await prepare?.(f.ws);
  const c = scene.connect(f, answer);
  await c.init();
  const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: policy, sandbox: 'workspace-write' });
  await c.call('turn/start', { threadId: thread.id, input: text('edit') });
  const done = await c.waitFor('turn/completed');
  return { c, done, item: (method: string) => c.messages.filter((m) => m.method === method && m.params?.item?.type === 'fileChange') };
}

describe('apply_patch through the app-server', () => {
  it('applies a patch inside the workspace without asking, and reports the turn diff as git does', async () => {
    let asked = false;
    const patch = '*** Begin Patch\n*** Update File: notes.txt\n@@\n one\n-two\n+TWO\n three\n*** End Patch\n';
    const { c, done, item } = await turn(
      { turns: [[patchCall(patch)], [{ text: 'edited' }]] },
      'on-request',
      () => ((asked = true), { decision: 'decline' }),
      async (ws) => {
        await writeFile(join(ws, 'notes.txt'), 'one\ntwo\nthree\n');
        commitAll(ws);
      },
    );
    expect(done.params.turn.status).toBe('completed');
    expect(asked).toBe(false);
    const [started] = item('item/started');
    expect(started.params.item.changes).toEqual([
      { path: join(f.ws, 'notes.txt'), kind: { type: 'update', move_path: null }, diff: expect.stringContaining('-two\n+TWO\n') },
    ]);
    expect(item('item/completed')[0].params.item.status).toBe('completed');
    expect(await readFile(join(f.ws, 'notes.txt'), 'utf8')).toBe('one\nTWO\nthree\n');
    const diff = c.messages.filter((m) => m.method === 'turn/diff/updated').at(-1).params.diff as string;
    expect(diff).toBe(git(f.ws, 'diff'));
    // The model was told which files changed.
    const output = JSON.stringify(f.model.requests[1]);
    expect(output).toContain('Success. Updated the following files:\\nM notes.txt');
  });

  it('asks before writing outside the workspace and writes only after accept', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-patch-');
    const target = join(elsewhere, 'new.txt');
    const { c, item } = await turn({ turns: [[patchCall(add(target, 'outside'))], [{ text: 'ok' }]] }, 'on-request', () => ({ decision: 'accept' }));
    const request = c.messages.find((m) => m.method === 'item/fileChange/requestApproval');
    expect(request.params.grantRoot).toBe(elsewhere);
    const aboutTheFile = (m: any) =>
      m.params?.item?.type === 'fileChange' || m.params?.itemId === request.params.itemId || m.method === 'serverRequest/resolved';
    const order = c.messages.filter(aboutTheFile).map((m) => m.method);
    expect(order).toEqual(['item/started', 'item/fileChange/requestApproval', 'serverRequest/resolved', 'item/completed']);
    expect(item('item/completed')[0].params.item.status).toBe('completed');
    expect(await readFile(target, 'utf8')).toBe('outside\n');
  });

  it('leaves the disk untouched on decline and tells the model', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-patch-');
    const target = join(elsewhere, 'new.txt');
    const { done, item } = await turn({ turns: [[patchCall(add(target, 'outside'))], [{ text: 'ok' }]] }, 'on-request', () => ({ decision: 'decline' }));
    expect(done.params.turn.status).toBe('completed');
    expect(item('item/completed')[0].params.item.status).toBe('declined');
    expect(existsSync(target)).toBe(false);
    expect(JSON.stringify(f.model.requests[1])).toContain('patch rejected by user');
  });

  it('ends the turn interrupted on cancel, with nothing written', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-patch-');
    const target = join(elsewhere, 'new.txt');
    const { done } = await turn({ turns: [[patchCall(add(target, 'outside'))], [{ text: 'ok' }]] }, 'on-request', () => ({ decision: 'cancel' }));
    expect(done.params.turn.status).toBe('interrupted');
    expect(existsSync(target)).toBe(false);
  });

  it('does not ask again for a directory accepted for the session', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-patch-');
    let asked = 0;
    const script = { turns: [[patchCall(add(join(elsewhere, 'one.txt'), '1'))], [patchCall(add(join(elsewhere, 'two.txt'), '2'))], [{ text: 'ok' }]] };
    const { done } = await turn(script, 'on-request', () => ((asked += 1), { decision: 'acceptForSession' }));
    expect(done.params.turn.status).toBe('completed');
    expect(asked).toBe(1);
    expect(await readFile(join(elsewhere, 'two.txt'), 'utf8')).toBe('2\n');
  });

  it('asks even inside the workspace under untrusted', async () => {
    let asked = 0;
    const { item } = await turn({ turns: [[patchCall(add('in.txt', 'x'))], [{ text: 'ok' }]] }, 'untrusted', () => ((asked += 1), { decision: 'accept' }));
    expect(asked).toBe(1);
    expect(item('item/completed')[0].params.item.status).toBe('completed');
  });

  it('writes nothing when one file of the patch does not apply, and says which line did not match', async () => {
    const patch = '*** Begin Patch\n*** Add File: first.txt\n+first\n*** Update File: second.txt\n@@\n-not there\n+x\n*** End Patch\n';
    await turn(
      { turns: [[patchCall(patch)], [{ text: 'ok' }]] },
      'on-request',
      () => ({ decision: 'accept' }),
      async (ws) => {
        await writeFile(join(ws, 'second.txt'), 'something else\n');
      },
    );
    expect(existsSync(join(f.ws, 'first.txt'))).toBe(false);
    expect(await readFile(join(f.ws, 'second.txt'), 'utf8')).toBe('something else\n');
    const told = JSON.stringify(f.model.requests[1]);
    expect(told).toContain('second.txt');
    expect(told).toContain('not there');
  });

  it("handles `apply_patch <<EOF` sent through exec_command as a patch, in the call's workdir", async () => {
    const cmd = `apply_patch <<'EOF'\n${add('via-shell.txt', 'hi')}EOF\n`;
    const { item } = await turn(
      { turns: [[{ call: 'exec_command', args: { cmd, workdir: 'sub' } }], [{ text: 'ok' }]] },
      'on-request',
      () => ({ decision: 'decline' }),
      (ws) => mkdir(join(ws, 'sub')).then(() => undefined),
    );
    expect(item('item/completed')[0].params.item.status).toBe('completed');
    expect(await readFile(join(f.ws, 'sub', 'via-shell.txt'), 'utf8')).toBe('hi\n');
  });
});

describe('the turn diff', () => {
  it('includes what commands changed in a git repository, relative to the turn start', async () => {
    let objectsBefore = '';
    const { c } = await turn(
      { turns: [[{ call: 'exec_command', args: { cmd: 'echo more >> notes.txt && echo fresh > new.txt' } }], [{ text: 'ok' }]] },
      'never',
      () => undefined,
      async (ws) => {
        await writeFile(join(ws, 'notes.txt'), 'one\n');
        await writeFile(join(ws, 'untouched-before.txt'), 'dirty before the turn\n');
        git(ws, 'init', '-q');
        git(ws, 'add', 'notes.txt');
        git(ws, 'commit', '-qm', 'start');
        objectsBefore = git(ws, 'count-objects');
      },
    );
    const diff = c.messages.filter((m) => m.method === 'turn/diff/updated').at(-1)?.params.diff as string;
    // Measuring the turn wrote nothing into the repository's own object store.
    expect(git(f.ws, 'count-objects')).toBe(objectsBefore);
    git(f.ws, 'add', '-N', 'new.txt');
    expect(diff).toBe(git(f.ws, 'diff', '--', 'notes.txt', 'new.txt'));
    // Changes made before the turn are not the turn's.
    expect(diff).not.toContain('untouched-before.txt');
  });

  it('is summarised by statecraft exec at the end of the turn', async () => {
    f = await scene.open({ turns: [[patchCall('*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+b\n+c\n*** End Patch\n')], [{ text: 'done' }]] });
    await writeFile(join(f.ws, 'a.txt'), 'a\n');
    const result = await execa('node', [CLI, 'exec', '--skip-git-repo-check', '-C', f.ws, '-s', 'workspace-write', 'edit'], {
      reject: false,
      stdin: 'ignore',
      env: { HOME: f.root, STATECRAFT_HOME: f.home, OPENAI_API_KEY: '' },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Files changed:\n  a.txt +2 -1');
  });
});

describe('statecraft apply-patch', () => {
  it('applies a patch from stdin and lists the files', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-patch-');
    await writeFile(join(elsewhere, 'a.txt'), 'old\n');
    const patch = '*** Begin Patch\n*** Update File: a.txt\n@@\n-old\n+new\n*** Add File: b.txt\n+b\n*** End Patch\n';
    const result = await execa('node', [CLI, 'apply-patch', '-C', elsewhere], { input: patch, reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['M a.txt', 'A b.txt']);
    expect(await readFile(join(elsewhere, 'a.txt'), 'utf8')).toBe('new\n');
  });

  it('fails with the parser message and writes nothing', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-patch-');
    const result = await execa('node', [CLI, 'apply-patch', '-C', elsewhere], { input: '*** Begin Patch\n*** Frobnicate: x\n*** End Patch\n', reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/statecraft apply-patch: .*Frobnicate/);
    const escape = await execa('node', [CLI, 'apply-patch', '-C', elsewhere], { input: add('../escape.txt', 'x'), reject: false });
    expect(escape.exitCode).toBe(1);
    expect(escape.stderr).toContain('refusing to write outside');
  });
});
