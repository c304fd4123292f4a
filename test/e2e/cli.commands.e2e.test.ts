import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, execCli, jsonEvents, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
const open = async (script: Parameters<typeof scene>[0]) => (current = await scene(script));
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const userTexts = (body: unknown): string[] =>
  ((body as { input?: Array<{ role?: string; content?: Array<{ text?: string }> }> }).input ?? [])
    .filter((item) => item.role === 'user' || item.role === 'developer')
    .flatMap((item) => (item.content ?? []).map((part) => part.text ?? ''));

describe('statecraft commands', () => {
  it('reads the prompt from piped stdin, as written', async () => {
    const s = await open({ turns: [[{ text: 'Got it.' }]] });
    const result = await execCli(s, ['--json'], { input: 'prompt from a pipe\n', stdin: undefined });
    expect(result.exitCode).toBe(0);
    // Codex passes piped text on untouched, the final newline included.
    expect(userTexts(s.server.requests[0])).toContain('prompt from a pipe\n');
  });

  it('tells the model its instructions, AGENTS.md, developer instructions and the environment', async () => {
    const s = await open({ turns: [[{ text: 'Noted.' }]] });
    await writeFile(join(s.home, 'AGENTS.md'), 'Always answer in haiku.\n');
    await writeFile(join(s.workspace, 'AGENTS.md'), 'Run npm test before finishing.\n');
    await writeFile(join(s.root, 'instructions.md'), 'You are a test agent.\n');
    await mkdir(join(s.root, 'extra'));
    const result = await execCli(s, [
      '-c',
      `model_instructions_file="${join(s.root, 'instructions.md')}"`,
      '-c',
      'developer_instructions="Prefer small diffs."',
      '--add-dir',
      join(s.root, 'extra'),
      '-s',
      'workspace-write',
      'hello',
    ]);
    expect(result.exitCode).toBe(0);
    const request = s.server.requests[0] as { instructions: string; tools: Array<{ name: string }> };
    expect(request.instructions).toBe('You are a test agent.\n');
    expect(request.tools.map((tool) => tool.name)).toEqual(['exec_command', 'write_stdin', 'update_plan', 'apply_patch', 'view_image']);
    const texts = userTexts(request).join('\n');
    expect(texts).toContain('Prefer small diffs.');
    expect(texts.indexOf('Always answer in haiku.')).toBeLessThan(texts.indexOf('Run npm test before finishing.'));
    expect(texts).toContain('<environment_context>');
    expect(texts).toContain(join(s.root, 'extra'));
    expect(texts).toContain('workspace-write');
  });

  it('serves a script with `statecraft mock-model` that exec can use', async () => {
    const s = await open({ turns: [] });
    const scriptFile = join(s.root, 'script.json');
    await writeFile(scriptFile, JSON.stringify({ turns: [[{ text: 'From the standalone server.' }]] }));
    const server = execa('node', [CLI, 'mock-model', '--script', scriptFile], { reject: false });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
        server.once('exit', () => reject(new Error('mock-model exited early')));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const result = await execCli(s, ['--json', '-c', `model_providers.scripted.base_url="${url}"`, 'hi']);
      expect(result.exitCode).toBe(0);
      expect(jsonEvents(result.stdout).find((event) => event.type === 'item.completed')?.item.text).toBe('From the standalone server.');
    } finally {
      server.kill('SIGTERM');
      await server;
    }
  });

  it('rejects a broken script file with the file and the problem', async () => {
    const s = await open({ turns: [] });
    const scriptFile = join(s.root, 'bad.json');
    await writeFile(scriptFile, '{"turns": [[{"call": 3}]]}');
    const result = await execa('node', [CLI, 'mock-model', '--script', scriptFile], { reject: false, timeout: 10_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(scriptFile);
  });

  it('shows the effective config with the layer each key came from', async () => {
    const s = await open({ turns: [] });
    await writeFile(join(s.home, 'config.toml'), 'model = "from-home"\n');
    const result = await execa('node', [CLI, 'config', 'show', '--json', '-C', s.workspace, '-c', 'approval_policy="never"'], {
      reject: false,
      env: { STATECRAFT_HOME: s.home },
    });
    expect(result.exitCode).toBe(0);
    const shown = JSON.parse(result.stdout) as { config: Record<string, unknown>; origins: Record<string, string> };
    expect(shown.config.model).toBe('from-home');
    expect(shown.origins.model).toContain(join(s.home, 'config.toml'));
    expect(shown.config.approval_policy).toBe('never');
  });

  it('documents every exec flag in --help', async () => {
    const { stdout } = await execa('node', [CLI, 'exec', '--help']);
    for (const flag of [
      '--json',
      '--model',
      '--cd',
      '--config',
      '--profile',
      '--sandbox',
      '--ask-for-approval',
      '--add-dir',
      '--full-auto',
      '--skip-git-repo-check',
      '--output-last-message',
      '--ephemeral',
      '--trace',
    ]) {
      expect(stdout).toContain(flag);
    }
    const top = await execa('node', [CLI, '--help']);
    for (const command of ['exec', 'demo', 'mock-model', 'config', 'inspect']) expect(top.stdout).toContain(command);
    const inspect = await execa('node', [CLI, 'inspect', '--help']);
    for (const flag of ['--last', '--machines', '--port', '--open', '--export']) expect(inspect.stdout).toContain(flag);
  });

  it('refuses to run outside a git repository unless told to', async () => {
    const s = await open({ turns: [[{ text: 'unreachable' }]] });
    const result = await execa('node', [CLI, 'exec', '-C', s.workspace, ...s.providerFlags, 'hi'], {
      reject: false,
      stdin: 'ignore',
      env: { HOME: s.root, STATECRAFT_HOME: s.home },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('--skip-git-repo-check');
    expect(s.server.requests).toHaveLength(0);
  });

  it('resumes a recorded thread by id and with --last, carrying the conversation', async () => {
    const s = await open({ turns: [[{ text: 'First answer.' }], [{ text: 'Second answer.' }], [{ text: 'Third answer.' }]] });
    const first = await execCli(s, ['--json', 'remember the word teapot']);
    expect(first.exitCode).toBe(0);
    const threadId = jsonEvents(first.stdout)[0]!.thread_id as string;
    const rollouts = await readdirRecursive(join(s.home, 'sessions'));
    expect(rollouts).toEqual([expect.stringMatching(new RegExp(`rollout-.*-${threadId}\\.jsonl$`))]);

    const second = await execa('node', [CLI, 'exec', 'resume', threadId, '--json', '--skip-git-repo-check', ...s.providerFlags, 'what was the word?'], {
      reject: false,
      stdin: 'ignore',
      env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '' },
    });
    expect(second.exitCode).toBe(0);
    const events = jsonEvents(second.stdout);
    expect(events[0]).toEqual({ type: 'thread.started', thread_id: threadId });
    // As Codex counts it, a resumed turn's usage is the thread's: the recorded turn's and its own.
    expect(events.at(-1)).toMatchObject({ type: 'turn.completed', usage: { input_tokens: 20, output_tokens: 10 } });
    const carried = userTexts(s.server.requests[1]);
    expect(carried).toContain('remember the word teapot');
    expect(carried).toContain('what was the word?');
    expect(JSON.stringify(s.server.requests[1])).toContain('First answer.');

    const third = await execa('node', [CLI, 'exec', 'resume', '--last', '--skip-git-repo-check', ...s.providerFlags, 'once more'], {
      reject: false,
      stdin: 'ignore',
      env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '' },
    });
    expect(third.exitCode).toBe(0);
    expect(third.stderr).toContain(threadId);
    expect(userTexts(s.server.requests[2])).toEqual(expect.arrayContaining(['remember the word teapot', 'what was the word?', 'once more']));
    expect(await readdirRecursive(join(s.home, 'sessions'))).toHaveLength(1);
  });

  it('records nothing for an --ephemeral thread, and says so when asked to resume an unknown one', async () => {
    const s = await open({ turns: [[{ text: 'Gone.' }]] });
    const result = await execCli(s, ['--ephemeral', 'forget me']);
    expect(result.exitCode).toBe(0);
    expect(await readdirRecursive(join(s.home, 'sessions'))).toEqual([]);
    const resume = await execa('node', [CLI, 'exec', 'resume', '--last', '--skip-git-repo-check', 'hi'], {
      reject: false,
      stdin: 'ignore',
      env: { HOME: s.root, STATECRAFT_HOME: s.home },
    });
    expect(resume.exitCode).toBe(1);
    expect(resume.stderr).toContain('no recorded thread');
    const unknown = await execa('node', [CLI, 'exec', 'resume', 'no-such-thread', '--skip-git-repo-check', 'hi'], {
      reject: false,
      stdin: 'ignore',
      env: { HOME: s.root, STATECRAFT_HOME: s.home },
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no thread with id no-such-thread');
  });

  it('explains a policy decision with `statecraft execpolicy check --json`', async () => {
    const s = await open({ turns: [] });
    await mkdir(join(s.home, 'rules'));
    await writeFile(join(s.home, 'rules', 'fruit.toml'), '[[rule]]\npattern = ["apple"]\ndecision = "allow"\n');
    const result = await execa('node', [CLI, 'execpolicy', 'check', '--json', '-C', s.workspace, '--', 'apple | rm -rf ./'], {
      reject: false,
      env: { STATECRAFT_HOME: s.home },
    });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { decision: string; parts: Array<{ decision: string; text: string }>; matchedRules: Array<{ file: string }> };
    expect(report.decision).toBe('ask');
    expect(report.parts.map((part) => [part.text, part.decision])).toEqual([
      ['apple', 'allow'],
      ['rm -rf ./', 'dangerous'],
    ]);
    expect(report.matchedRules[0]?.file).toBe(join(s.home, 'rules', 'fruit.toml'));
  });

  it.skipIf(!existsSync('/usr/bin/bwrap'))('runs a command under the configured sandbox with `statecraft sandbox`', async () => {
    const s = await open({ turns: [] });
    const outside = join(s.home, 'outside.txt');
    const result = await execa(
      'node',
      [
        CLI,
        'sandbox',
        '-C',
        s.workspace,
        '-c',
        `sandbox_workspace_write.writable_roots=[]`,
        '--',
        'bash',
        '-c',
        `touch inside.txt; touch /etc/statecraft-denied; echo $?`,
      ],
      {
        reject: false,
        env: { STATECRAFT_HOME: s.home, HOME: s.root },
      },
    );
    expect(result.stderr).toContain('workspace-write');
    expect(existsSync(join(s.workspace, 'inside.txt'))).toBe(true);
    expect(result.stdout.trim()).toBe('1');
    expect(existsSync('/etc/statecraft-denied')).toBe(false);
    expect(existsSync(outside)).toBe(false);
  });
});

/** Every file under `dir` (none when it does not exist). */
async function readdirRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
