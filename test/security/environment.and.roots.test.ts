/**
 * Through the built CLI and the scripted model: secrets in statecraft's environment do not
 * reach the model's commands, and an --add-dir given as a symlink works like its target.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../actors/exec/index.js';
import { execCli, jsonEvents, scene, type Scene } from '../e2e/cli.harness.js';

const probe = await probeSandbox();
let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const commandOutputs = (stdout: unknown) =>
  jsonEvents(stdout)
    .filter((event) => event.type === 'item.completed' && event.item.type === 'command_execution')
    .map((event) => event.item as { aggregated_output: string; exit_code: number | null });

describe('the environment commands get', () => {
  it('leaves out secrets by default, keeps PATH, and applies [shell_environment_policy] set', async () => {
    current = await scene({ turns: [[{ call: 'exec_command', args: { cmd: 'env | sort', login: false } }], [{ text: 'done' }]] });
    writeFileSync(join(current.home, 'config.toml'), '[shell_environment_policy.set]\nGREETING = "hello"\n');
    const result = await execCli(current, ['--json', '-s', 'danger-full-access', 'show env'], {
      env: {
        HOME: current.root,
        STATECRAFT_HOME: current.home,
        OPENAI_API_KEY: '',
        MY_API_KEY: 'sk-leak',
        DB_PASSWORD_SECRET: 'hunter2',
        GH_TOKEN: 'ghp',
        PATH: process.env.PATH,
      },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const [command] = commandOutputs(result.stdout);
    const lines = command!.aggregated_output.split('\n');
    expect(lines).toContain(`PATH=${process.env.PATH}`);
    expect(lines).toContain('GREETING=hello');
    expect(command!.aggregated_output).not.toMatch(/sk-leak|hunter2|ghp|MY_API_KEY|OPENAI_API_KEY/);
  });
});

describe.skipIf(!probe.available)('--add-dir given as a symlink', () => {
  it('makes its target writable, and every command of the thread still runs', async () => {
    current = await scene({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'echo one > in-workspace.txt' } }],
        // The workspace is <root>/ws and the link <root>/link.
        [{ call: 'exec_command', args: { cmd: 'echo two > ../link/through-link.txt' } }],
        [{ text: 'done' }],
      ],
    });
    const target = join(current.root, 'target');
    const link = join(current.root, 'link');
    mkdirSync(target);
    symlinkSync(target, link);
    const result = await execCli(current, ['--json', '-s', 'workspace-write', '-a', 'never', '--add-dir', link, 'write in both']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(commandOutputs(result.stdout).map((c) => c.exit_code)).toEqual([0, 0]);
    expect(readFileSync(join(current.workspace, 'in-workspace.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(target, 'through-link.txt'), 'utf8')).toBe('two\n');
  });
});
