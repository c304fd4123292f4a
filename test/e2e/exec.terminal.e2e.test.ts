import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { shellQuote } from '../../actors/exec/index.js';
import { fixtureToml } from '../support/mcp.fixture.js';
import { processesRunning, uniqueSleep } from '../support/processes.js';
import { CLI, execCli, jsonEvents, scene, toolOutputsSeen, type Scene } from './cli.harness.js';

let current: Scene | null = null;
const open = async (script: Parameters<typeof scene>[0]) => (current = await scene(script));
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

/**
 * Runs `statecraft exec` on a pseudo-terminal (util-linux `script`), typing each answer once
 * the screen shows its prompt (in order; a lone string answers the first `> `). Returns the
 * terminal transcript, exit code and whether every answer was typed.
 */
async function execOnTerminal(s: Scene, args: string[], answers: string | Array<{ after: string; type: string }>) {
  const script = typeof answers === 'string' ? [{ after: '> ', type: answers }] : answers;
  const argv = ['node', CLI, 'exec', '--skip-git-repo-check', '-C', s.workspace, ...s.providerFlags, ...args];
  const child = execa('script', ['-qfec', argv.map(shellQuote).join(' '), '/dev/null'], {
    reject: false,
    timeout: 60_000,
    env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '', TERM: 'dumb' },
  });
  let screen = '';
  let typed = 0;
  let seenUpTo = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    const next = script[typed];
    if (!next) return;
    const at = screen.indexOf(next.after, seenUpTo);
    if (at < 0) return;
    seenUpTo = at + next.after.length;
    typed += 1;
    child.stdin.write(`${next.type}\r`);
  });
  const result = await child;
  return { exitCode: result.exitCode, screen, answered: typed === script.length };
}

const escalation = {
  turns: [
    [
      {
        call: 'exec_command',
        args: { cmd: 'touch ../outside.txt', sandbox_permissions: 'require_escalated', justification: 'needs to write next to the workspace' },
      },
    ],
    [{ text: 'Done with the file.' }],
  ],
};

describe.skipIf(!existsSync('/usr/bin/script'))('statecraft exec on a terminal', () => {
  it('asks before an escalated command and runs it outside the sandbox when accepted', async () => {
    const s = await open(escalation);
    const run = await execOnTerminal(s, ['-a', 'on-request', '-s', 'workspace-write', 'write outside'], 'y');
    expect(run.answered).toBe(true);
    expect(run.screen).toContain('touch ../outside.txt');
    expect(run.screen).toContain('needs to write next to the workspace');
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(s.root, 'outside.txt'))).toBe(true);
    expect(toolOutputsSeen(s.server.requests)[0]).toMatch(/^Exit code: 0\n/);
  });

  it('tells the model when the user declines, and the turn goes on', async () => {
    const s = await open(escalation);
    const run = await execOnTerminal(s, ['-a', 'on-request', '-s', 'workspace-write', 'write outside'], 'n');
    expect(run.answered).toBe(true);
    expect(run.exitCode).toBe(0);
    expect(run.screen).toContain('Done with the file.');
    expect(existsSync(join(s.root, 'outside.txt'))).toBe(false);
    expect(toolOutputsSeen(s.server.requests)[0]).toMatch(/rejected by the user/);
  });

  it('ends the turn interrupted when the user cancels', async () => {
    const s = await open(escalation);
    const run = await execOnTerminal(s, ['-a', 'on-request', '-s', 'workspace-write', 'write outside'], 'c');
    expect(run.answered).toBe(true);
    expect(run.exitCode).toBe(1);
    expect(run.screen).toContain('the turn was interrupted');
    expect(existsSync(join(s.root, 'outside.txt'))).toBe(false);
    expect(s.server.requests).toHaveLength(1);
  });
});

describe.skipIf(!existsSync('/usr/bin/script'))("an MCP server's question on the terminal", () => {
  it('is answered field by field, a wrong value asked again, and the answer reaches the server', async () => {
    const s = await open({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'Green, urgently.' }]] });
    await writeFile(join(s.home, 'config.toml'), fixtureToml('fx'));
    const run = await execOnTerminal(
      s,
      ['ask me'],
      [
        { after: '[c] cancel', type: 'a' },
        { after: 'Color [red/green]: ', type: 'blue' },
        { after: 'Color [red/green]: ', type: 'green' },
        { after: 'Urgent [y/n] (optional, Enter to skip): ', type: 'y' },
      ],
    );
    expect(run.answered).toBe(true);
    expect(run.screen).toContain('The MCP server fx asks: Which color should the note be?');
    expect(run.screen).toContain('type one of: red, green');
    expect(run.exitCode).toBe(0);
    expect(toolOutputsSeen(s.server.requests)).toEqual([JSON.stringify({ action: 'accept', content: { color: 'green', urgent: true } })]);
  });

  it('is cancelled with c, and the server hears cancel', async () => {
    const s = await open({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'Cancelled.' }]] });
    await writeFile(join(s.home, 'config.toml'), fixtureToml('fx'));
    const run = await execOnTerminal(s, ['ask me'], [{ after: '[c] cancel', type: 'c' }]);
    expect(run.answered).toBe(true);
    expect(run.exitCode).toBe(0);
    expect(toolOutputsSeen(s.server.requests)).toEqual([JSON.stringify({ action: 'cancel' })]);
  });
});

describe('interrupting statecraft exec', () => {
  it('on SIGINT kills the running command and its children, completes the turn interrupted and exits 130', async () => {
    const sleep = uniqueSleep();
    const s = await open({
      turns: [[{ call: 'exec_command', args: { cmd: `sleep ${sleep} & touch started; sleep ${sleep}` } }], [{ text: 'unreachable' }]],
    });
    const child = execCli(s, ['--json', '-s', 'workspace-write', 'sleep a while']);
    // One SIGINT only: a second one means "quit at once" and skips the clean shutdown under test.
    const poll = setInterval(() => {
      if (!existsSync(join(s.workspace, 'started'))) return;
      clearInterval(poll);
      child.kill('SIGINT');
    }, 100);
    const result = await child;
    clearInterval(poll);
    expect(result.exitCode).toBe(130);
    const events = jsonEvents(result.stdout);
    const command = events.find((event) => event.type === 'item.completed' && event.item.type === 'command_execution');
    expect(command).toBeDefined();
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { message: expect.stringContaining('interrupted') } });
    await new Promise((done) => setTimeout(done, 300));
    expect(processesRunning(['sleep', sleep])).toBe(0);
    expect(s.server.requests).toHaveLength(1);
  });
});
