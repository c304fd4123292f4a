/**
 * The turn diff's scratch folders (a scratch index and object store per thread) live in
 * statecraft's home, not in the temp dirs the sandbox lets commands write, and the ones a
 * crashed process left behind are removed when statecraft next starts.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execCli, jsonEvents, scene as cliScene } from '../e2e/cli.harness.js';
import { scenes, text, within, type Fixture } from '../e2e/appServer/client.js';
import { commitAll } from '../support/git.js';
import { PROTECTED_SUBPATHS } from '../../actors/exec/index.js';

function commitOneFile(ws: string): void {
  writeFileSync(join(ws, 'notes.txt'), 'one\n');
  commitAll(ws);
}

const scratchFolders = (home: string): string[] => {
  try {
    return readdirSync(join(home, 'tmp'))
      .filter((name) => name.startsWith('turn-diff-'))
      .sort();
  } catch {
    return [];
  }
};

describe('turn-diff scratch folders', () => {
  const scene = scenes();

  it("are made in statecraft's home; a crashed process's are removed at the next start, a live one's are kept", async () => {
    const sleep = scene.marker();
    const f: Fixture = await scene.open({ turns: [[{ call: 'exec_command', args: { cmd: `sleep ${sleep}`, yield_time_ms: 60_000 } }], [{ text: 'done' }]] });
    commitOneFile(f.ws);
    const first = scene.connect(f, () => ({ decision: 'decline' }));
    await first.init();
    const { thread } = await first.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
    await first.call('turn/start', { threadId: thread.id, input: text('wait') });
    await first.waitFor('item/started', (m) => m.params.item.type === 'commandExecution');
    const crashed = scratchFolders(f.home);
    expect(crashed).toEqual([expect.stringMatching(new RegExp(`^turn-diff-${first.proc.pid}-`))]);

    first.proc.kill('SIGKILL');
    await within(first.proc, 15_000, 'the killed app-server to exit');
    expect(scratchFolders(f.home)).toEqual(crashed);
    // A folder of a process that still runs (this test) must survive the next start.
    const live = `turn-diff-${process.pid}-live`;
    mkdirSync(join(f.home, 'tmp', live));

    // The runtime, which clears them, starts with the first request about threads (initialize alone reads none of it).
    const second = scene.connect(f);
    await second.init();
    await second.call('thread/list', {});
    expect(scratchFolders(f.home)).toEqual([live]);
  });

  it('are never made in the temp dir, where a sandboxed command could reach them', async () => {
    const s = await cliScene({ turns: [[{ call: 'exec_command', args: { cmd: 'ls -A "$TMPDIR"; echo listed' } }], [{ text: 'done' }]] });
    try {
      commitOneFile(s.workspace);
      const tmp = mkdtempSync(join(s.root, 'tmp-'));
      const result = await execCli(s, ['--json', '-s', 'workspace-write', 'list'], {
        env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '', TMPDIR: tmp },
      });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const command = jsonEvents(result.stdout).find((event) => event.type === 'item.completed' && event.item.type === 'command_execution');
      // Seen from inside the turn, while the turn's scratch folder exists; the sandbox's own
      // read-only placeholders for protected folders are the only entries there.
      const seen = String(command?.item.aggregated_output)
        .split('\n')
        .filter((name) => !PROTECTED_SUBPATHS.includes(name));
      expect(seen).toEqual(['listed', '']);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      await s.cleanup();
    }
  });
});
