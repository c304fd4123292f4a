/** Where the SDK's runs may write, and where they may run at all (the git repository check). */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markRepository } from '../../support/git.js';
import { itemsOf, sdkScene } from './sdk.harness.js';

const touch = (path: string) => [{ call: 'exec_command', args: { cmd: `touch ${path}` } }];

describe.concurrent('the Codex SDK drives statecraft exec: sandbox and working directory', () => {
  it('workspace-write with additionalDirectories writes there and in the workspace, nowhere else; read-only writes nowhere', async ({ onTestFinished }) => {
    // Paths relative to the workspace, <root>/ws: the extra directory and another one are its siblings.
    const s = await sdkScene(
      {
        turns: [
          touch('in-workspace'),
          touch('../extra/in-extra'),
          touch('../elsewhere/not-here'),
          [{ text: 'Wrote what I could.' }],
          touch('read-only'),
          [{ text: 'Could not write.' }],
        ],
      },
      onTestFinished,
    );
    const [extra, elsewhere] = [join(s.root, 'extra'), join(s.root, 'elsewhere')];
    await mkdir(extra);
    await mkdir(elsewhere);
    // The scene's temp root is under /tmp, which workspace-write leaves writable unless told not to.
    const codex = s.codex({ config: { sandbox_workspace_write: { exclude_slash_tmp: true } } });
    const writable = await codex
      .startThread({ workingDirectory: s.ws, skipGitRepoCheck: true, sandboxMode: 'workspace-write', additionalDirectories: [extra] })
      .run('write three files');
    expect(itemsOf(writable.items, 'command_execution').map((item) => [item.command, item.status])).toEqual([
      ["/bin/bash -lc 'touch in-workspace'", 'completed'],
      ["/bin/bash -lc 'touch ../extra/in-extra'", 'completed'],
      ["/bin/bash -lc 'touch ../elsewhere/not-here'", 'failed'],
    ]);
    expect((await stat(join(s.ws, 'in-workspace'))).isFile()).toBe(true);
    expect((await stat(join(extra, 'in-extra'))).isFile()).toBe(true);
    await expect(stat(join(elsewhere, 'not-here'))).rejects.toThrow();

    const readOnly = await codex.startThread({ workingDirectory: s.ws, skipGitRepoCheck: true, sandboxMode: 'read-only' }).run('write one file');
    expect(itemsOf(readOnly.items, 'command_execution')).toEqual([
      expect.objectContaining({ status: 'failed', exit_code: 1, aggregated_output: expect.stringContaining('Read-only file system') }),
    ]);
    await expect(stat(join(s.ws, 'read-only'))).rejects.toThrow();
  });

  it('outside a git repository a run fails before any request unless skipGitRepoCheck; inside one it needs nothing', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Skipped the check.' }], [{ text: 'In a repository.' }]] }, onTestFinished);
    const codex = s.codex();
    await expect(codex.startThread({ workingDirectory: s.ws }).run('hi')).rejects.toThrow(/is not inside a git repository[\s\S]*--skip-git-repo-check/);
    expect(s.requests()).toEqual([]);
    expect((await codex.startThread({ workingDirectory: s.ws, skipGitRepoCheck: true }).run('hi')).finalResponse).toBe('Skipped the check.');
    await markRepository(s.ws);
    expect((await codex.startThread({ workingDirectory: s.ws }).run('hi')).finalResponse).toBe('In a repository.');
  });
});
