/** `statecraft exec` takes its arguments as the Codex SDK and Codex's other clients write them. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI, jsonEvents } from '../cli.harness.js';
import { sdkScene, userParts, type SdkScene } from './sdk.harness.js';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** `statecraft exec ARGS` with the prompt on stdin, as the SDK runs it (from the scene's root, not its workspace). */
const exec = (s: SdkScene, args: string[], input = 'go') =>
  execa('node', [CLI, 'exec', ...args], { env: s.env, extendEnv: false, cwd: s.root, input, reject: false });

const texts = (request: any): string[] => userParts(request).flatMap((part: any) => (part.type === 'input_text' ? [part.text] : []));

describe.concurrent('statecraft exec arguments, as Codex clients send them', () => {
  it('options count on both sides of `resume ID`; --experimental-json is --json; images are repeatable or comma-separated', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'First.' }], [{ text: 'Second.' }]] }, onTestFinished);
    await writeFile(join(s.root, 'a.png'), PNG_1X1);
    await writeFile(join(s.root, 'b.png'), PNG_1X1);
    const first = await exec(s, ['--experimental-json', '--skip-git-repo-check', '-C', s.ws]);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const threadId = jsonEvents(first.stdout)[0]!.thread_id as string;

    const args = ['--experimental-json', '-m', 'gpt-5.1-codex-mini', '-c', 'model_verbosity="low"', '--skip-git-repo-check', '-C', s.ws, 'resume', threadId];
    const second = await exec(s, [...args, '-c', 'model_reasoning_effort="high"', '--image', 'a.png,b.png', '-i', 'a.png'], 'look at these');
    expect(second.exitCode, String(second.stderr)).toBe(0);
    // JSON output from a flag before `resume`; the model switch from the default, from -m before it, is warned about.
    expect(jsonEvents(second.stdout).map((event) => event.item?.type ?? event.type)).toEqual([
      'thread.started',
      'error',
      'turn.started',
      'agent_message',
      'turn.completed',
    ]);
    const request = s.requests()[1];
    expect(request).toMatchObject({ model: 'gpt-5.1-codex-mini', text: { verbosity: 'low' }, reasoning: { effort: 'high' } });
    // Relative image paths are the caller's, as in a shell: the CLI ran in the scene's root. Codex names the
    // path as given (a.png); statecraft names the file it read.
    expect(texts(request).filter((text) => text.startsWith('<image'))).toEqual([
      `<image name=[Image #1] path="${join(s.root, 'a.png')}">`,
      `<image name=[Image #2] path="${join(s.root, 'b.png')}">`,
      `<image name=[Image #3] path="${join(s.root, 'a.png')}">`,
    ]);
    expect(texts(request).at(-1)).toBe('look at these');
  });

  it('--output-schema: a file that is missing, not JSON or not an object is refused with the reason, before any request', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [] }, onTestFinished);
    await writeFile(join(s.root, 'broken.json'), '{"type": ');
    await writeFile(join(s.root, 'list.json'), '[1, 2]');
    const cases: Array<[string, RegExp]> = [
      ['missing.json', /^statecraft: --output-schema missing\.json: cannot read the file \(ENOENT/],
      ['broken.json', /^statecraft: --output-schema broken\.json: not valid JSON \(.*\); write the schema as a JSON object/],
      ['list.json', /^statecraft: --output-schema list\.json: the schema must be a JSON object .*, found an array/],
    ];
    for (const [file, message] of cases) {
      const result = await exec(s, ['--json', '--skip-git-repo-check', '-C', s.ws, '--output-schema', file]);
      expect(result.exitCode).toBe(1);
      expect(String(result.stderr)).toMatch(message);
    }
    expect(s.requests()).toEqual([]);
  });

  it("Codex's other flags are accepted; the ones with an effect here take it", async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [[{ text: 'Accepted.' }]] }, onTestFinished);
    const codexOnly = [
      '--thread-source',
      'user',
      '--cyber-access-program',
      'standard',
      '--trust',
      '--dangerously-bypass-hook-trust',
      '--worktree',
      '--ignore-rules',
    ];
    const result = await exec(s, ['--json', '--skip-git-repo-check', '-C', s.ws, ...codexOnly, '--color', 'never', '--enable', 'web_search_request', '--yolo']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).toContain('warning: --worktree has no effect in statecraft');
    expect(String(result.stderr)).toContain('warning: --ignore-rules has no effect in statecraft');
    const request = s.requests()[0];
    // --enable web_search_request is the older switch for live web search; --yolo is no sandbox and no approvals.
    expect((request.tools as Array<{ type: string }>).filter((tool) => tool.type === 'web_search')).toEqual([
      { type: 'web_search', external_web_access: true, search_content_types: ['text', 'image'] },
    ]);
    const context = texts(request).join('\n');
    expect(context).toContain('<sandbox_mode>danger-full-access</sandbox_mode>');
    expect(context).toContain('<approval_policy>never</approval_policy>');
  });

  it('a prompt of only whitespace is no prompt', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [] }, onTestFinished);
    const result = await exec(s, ['--json', '--skip-git-repo-check', '-C', s.ws], ' \n\t\n');
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain('no prompt: standard input was empty');
    expect(s.requests()).toEqual([]);
  });
});
