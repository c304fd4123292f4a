/**
 * Aborting a run: the SDK kills the CLI with SIGTERM. The turn is interrupted, every process it
 * started dies (also unsandboxed ones), and the resumed thread shows the call as aborted.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../actors/exec/helpers.js';
import { killPidsMatching, livePidsMatching, uniqueSleep } from '../../support/processes.js';
import { CLI, jsonEvents, toolOutputsSeen } from '../cli.harness.js';
import { sdkScene } from './sdk.harness.js';

describe.concurrent('the Codex SDK drives statecraft exec: abort', () => {
  for (const sandboxMode of ['workspace-write', 'danger-full-access'] as const) {
    it(`an abort during \`sleep 30\` (${sandboxMode}) leaves no process, and the resumed thread shows the call as aborted`, async ({ onTestFinished }) => {
      const sleep = uniqueSleep();
      onTestFinished(() => {
        killPidsMatching(sleep);
      });
      const s = await sdkScene({ turns: [[{ call: 'exec_command', args: { cmd: `sleep ${sleep}` } }], [{ text: 'It was stopped.' }]] }, onTestFinished);
      const codex = s.codex();
      const options = { workingDirectory: s.ws, skipGitRepoCheck: true, sandboxMode };
      const thread = codex.startThread(options);
      const controller = new AbortController();
      const { events } = await thread.runStreamed('sleep a while', { signal: controller.signal });
      const seen: string[] = [];
      let error: Error | null = null;
      try {
        for await (const event of events) {
          seen.push(event.type);
          if (event.type === 'item.started' && event.item.type === 'command_execution') {
            expect(await waitUntil(() => livePidsMatching(sleep).length > 0, 10_000)).toBe(true);
            controller.abort();
          }
        }
      } catch (caught) {
        error = caught as Error;
      }
      expect(error?.name).toBe('AbortError');
      expect(seen).toEqual(['thread.started', 'turn.started', 'item.started']);
      expect(await waitUntil(() => livePidsMatching(sleep).length === 0, 10_000)).toBe(true);

      const resumed = await codex.resumeThread(thread.id!, options).run('what happened?');
      expect(resumed.finalResponse).toBe('It was stopped.');
      // Codex answers the cut-off call with "aborted"; statecraft says so too, with how it ended.
      expect(toolOutputsSeen([s.requests()[1]])).toEqual([expect.stringMatching(/aborted/i)]);
    });
  }

  it('SIGTERM ends exec by that signal, as Codex ends, once the turn is interrupted and its commands are killed', async ({ onTestFinished }) => {
    const sleep = uniqueSleep();
    onTestFinished(() => {
      killPidsMatching(sleep);
    });
    const s = await sdkScene({ turns: [[{ call: 'exec_command', args: { cmd: `sleep ${sleep}` } }]] }, onTestFinished);
    const child = execa('node', [CLI, 'exec', '--experimental-json', '--skip-git-repo-check', '-C', s.ws, '-s', 'danger-full-access', 'sleep'], {
      env: s.env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"item.started"')) void waitUntil(() => livePidsMatching(sleep).length > 0, 10_000).then(() => child.kill('SIGTERM'));
    });
    const result = await child;
    expect(result.signal).toBe('SIGTERM');
    expect(await waitUntil(() => livePidsMatching(sleep).length === 0, 10_000)).toBe(true);
    // As Codex, nothing is printed after the signal: whoever sent it is no longer listening.
    expect(jsonEvents(result.stdout).map((event) => event.type)).toEqual(['thread.started', 'turn.started', 'item.started']);
  });
});
