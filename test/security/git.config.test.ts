/**
 * statecraft runs git itself, outside the sandbox (the turn diff, the thread's git info). A
 * repository's own config and attributes must never make those git commands run a program:
 * each hostile setting below writes a marker file if git ever runs it, during a real turn
 * with a command and a patch, and the turn diff must still come out right.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenes, text, type Fixture } from '../e2e/appServer/client.js';
import { commitAll } from '../support/git.js';

const scene = scenes();

/** A shell command that leaves `marker` behind, then runs `then` (with the arguments git adds). */
const leaves = (marker: string, then = ':') => `touch ${marker}; ${then}`;

/** A committed repository in the workspace; `hostile` then arms it (after the commit, so setting it up runs nothing). */
function repository(f: Fixture, hostile: (gitDir: string, markers: string) => void): string {
  const markers = join(f.root, 'markers');
  mkdirSync(markers);
  writeFileSync(join(f.ws, 'notes.txt'), 'one\n');
  // Last in git's order: the hostile process filter fails, and git stops there.
  writeFileSync(join(f.ws, 'z.proc'), 'processed\n');
  writeFileSync(join(f.ws, 'readme.md'), 'read me\n');
  commitAll(f.ws);
  hostile(join(f.ws, '.git'), markers);
  return markers;
}

/** One turn: a command appends to every file, a patch adds added.txt; returns the last turn diff. */
async function turnIn(f: Fixture): Promise<string> {
  const c = scene.connect(f, () => ({ decision: 'decline' }));
  await c.init();
  const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
  await c.call('turn/start', { threadId: thread.id, input: text('edit') });
  const done = await c.waitFor('turn/completed');
  expect(done.params.turn.status).toBe('completed');
  return c.messages.filter((m) => m.method === 'turn/diff/updated').at(-1)?.params.diff ?? '';
}

const script = {
  turns: [
    // Every file changes, so git has to read each one again (through any filter it would run).
    [{ call: 'exec_command', args: { cmd: 'echo two >> notes.txt && echo again >> readme.md && echo again >> z.proc' } }],
    [{ custom: 'apply_patch', input: '*** Begin Patch\n*** Add File: added.txt\n+from the patch\n*** End Patch\n' }],
    [{ text: 'done' }],
  ],
};

/** The turn's changes must read as they do without any hostile setting. */
function expectTheTurnsDiff(diff: string) {
  expect(diff).toContain('diff --git a/notes.txt b/notes.txt');
  expect(diff).toContain(' one\n+two\n');
  expect(diff).toContain(' read me\n+again\n');
  expect(diff).toContain(' processed\n+again\n');
  expect(diff).toContain('diff --git a/added.txt b/added.txt');
  expect(diff).toContain('+from the patch\n');
}

describe("statecraft's own git commands run nothing a repository configures", () => {
  it('ignores fsmonitor, filter drivers, diff drivers, an external diff and a hooks path', async () => {
    const f = await scene.open(script);
    const markers = repository(f, (gitDir, m) => {
      const hooks = join(f.root, 'hooks');
      mkdirSync(hooks);
      for (const hook of ['post-index-change', 'pre-commit', 'post-checkout']) {
        writeFileSync(join(hooks, hook), `#!/bin/sh\ntouch ${m}/hook-${hook}\n`);
        chmodSync(join(hooks, hook), 0o755);
      }
      writeFileSync(
        join(gitDir, 'config'),
        [
          '[core]',
          `\tfsmonitor = "${leaves(`${m}/fsmonitor`)}"`,
          `\thooksPath = ${hooks}`,
          `\tpager = "${leaves(`${m}/pager`)}"`,
          '[diff]',
          `\texternal = "${leaves(`${m}/diff-external`)}"`,
          '[diff "evil"]',
          `\ttextconv = "${leaves(`${m}/textconv`, 'cat')}"`,
          `\tcommand = "${leaves(`${m}/diff-command`)}"`,
          '[filter "evil"]',
          `\tclean = "${leaves(`${m}/clean`, 'cat')}"`,
          `\tsmudge = "${leaves(`${m}/smudge`, 'cat')}"`,
          '\trequired = true',
          '[filter "a=b"]',
          `\tclean = "${leaves(`${m}/clean-odd-name`, 'cat')}"`,
          '[filter "proc"]',
          `\tprocess = "${leaves(`${m}/process`)}"`,
          '',
        ].join('\n'),
      );
      writeFileSync(join(f.ws, '.gitattributes'), '* filter=evil diff=evil\n*.md filter=a=b\n*.proc filter=proc\n');
      writeFileSync(join(gitDir, 'info', 'attributes'), 'notes.txt filter=evil diff=evil\n');
    });
    const diff = await turnIn(f);
    expect(readdirSync(markers).sort()).toEqual([]);
    expectTheTurnsDiff(diff);
  });

  it('does not run a hook planted in .git/hooks', async () => {
    const f = await scene.open(script);
    const markers = repository(f, (gitDir, m) => {
      const hook = join(gitDir, 'hooks', 'post-index-change');
      writeFileSync(hook, `#!/bin/sh\ntouch ${m}/hook\n`);
      chmodSync(hook, 0o755);
    });
    const diff = await turnIn(f);
    expect(existsSync(join(markers, 'hook'))).toBe(false);
    expectTheTurnsDiff(diff);
  });
});
