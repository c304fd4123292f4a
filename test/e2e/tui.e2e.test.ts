import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, livePidsMatching, uniqueSleep } from '../support/processes.js';
import { execa } from 'execa';
import { CLI, execCli, scene, toolOutputsSeen } from './cli.harness.js';
import { hasTmux, openedPerTest, quitAndCheckTerminal, TmuxTui } from './tui.harness.js';

const run = openedPerTest();

const call = (cmd: string) => [{ call: 'exec_command', args: { cmd } }];
/** The user messages the model received, across all requests. */
const userTexts = (requests: unknown[]): string[] =>
  requests.flatMap((body) =>
    ((body as { input?: Array<Record<string, any>> }).input ?? [])
      .filter((item) => item.type === 'message' && item.role === 'user')
      .flatMap((item) => (Array.isArray(item.content) ? item.content.map((part: { text?: string }) => part.text ?? '') : [String(item.content)])),
  );

describe.skipIf(!hasTmux)('statecraft (interactive UI) in tmux', () => {
  it('streams the answer as Markdown, shows a command with its output and exit status, and quits cleanly', { timeout: 180_000 }, async () => {
    run.scene = await scene({
      turns: [
        [{ text: '# Plan of attack\n\nFirst **list** the files:\n\n- one item\n- another item\n' }, ...call('echo tui-output-marker')],
        [{ text: 'All done here.' }],
      ],
    });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'look around']);
    const screen = await run.tui.waitFor('All done here.');
    expect(screen).toContain('› look around');
    expect(screen).toContain('Plan of attack');
    // Markdown is rendered: no literal emphasis markers, list items as bullets.
    expect(screen).not.toContain('**list**');
    expect(screen).toMatch(/\* one item/);
    expect(screen).toContain('$ echo tui-output-marker');
    expect(screen).toMatch(/^\s+tui-output-marker$/m);
    expect(screen).toContain('✓ exit 0');
    expect(screen).toMatch(/gpt-[\w.-]+ .*sandbox workspace-write · approval never/);
    await quitAndCheckTerminal(run.tui);
  });

  it(
    '"always allow the prefix" writes the rule: the next touch runs without asking, a compound command with more than touch still asks',
    { timeout: 180_000 },
    async () => {
      run.scene = await scene({
        turns: [
          call('touch one.txt'),
          [{ text: 'made one' }],
          call('touch two.txt'),
          [{ text: 'made two' }],
          call('touch three.txt && mkdir four'),
          [{ text: 'made three and four' }],
        ],
      });
      run.tui = await TmuxTui.start(run.scene, ['-a', 'untrusted', 'make one']);
      let screen = await run.tui.waitFor('always allow commands that start with `touch`');
      expect(screen).toContain('$ touch one.txt');
      await run.tui.keys('p');
      await run.tui.waitFor('made one');
      expect(existsSync(join(run.scene.workspace, 'one.txt'))).toBe(true);
      expect(readFileSync(join(run.scene.home, 'rules', 'default.toml'), 'utf8')).toContain('touch');

      await run.tui.typeLine('make two');
      screen = await run.tui.waitFor('made two');
      expect(screen).not.toContain('The agent wants to run');
      expect(existsSync(join(run.scene.workspace, 'two.txt'))).toBe(true);

      // The rule covers the touch, not the mkdir after it: the compound command is asked about.
      await run.tui.typeLine('make three and four');
      screen = await run.tui.waitFor('The agent wants to run');
      expect(screen).toContain('touch three.txt && mkdir four');
      // No prefix rule is offered for a compound command.
      expect(screen).not.toContain('always allow');
      await run.tui.keys('y');
      await run.tui.waitFor('made three and four');
      expect(existsSync(join(run.scene.workspace, 'four'))).toBe(true);
      await quitAndCheckTerminal(run.tui);
    },
  );

  it('answers approvals each way: for the session, no with a message for the model, and cancel', { timeout: 180_000 }, async () => {
    run.scene = await scene({
      turns: [
        call('touch b1.txt'),
        [{ text: 'first ok' }],
        call('touch b1.txt'),
        [{ text: 'second ok' }],
        call('touch b2.txt'),
        [{ text: 'taking the advice' }],
        call('touch b3.txt'),
        [{ text: 'never said' }],
      ],
    });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'untrusted', 'first']);
    await run.tui.waitFor('[a] yes, and do not ask again');
    await run.tui.keys('a');
    await run.tui.waitFor('first ok');

    // The same command again in this session runs without a question.
    await run.tui.typeLine('second');
    let screen = await run.tui.waitFor('second ok');
    expect(screen).not.toContain('The agent wants to run');

    await run.tui.typeLine('third');
    await run.tui.waitFor('$ touch b2.txt');
    await run.tui.keys('n');
    await run.tui.waitFor('What should the model do instead?');
    await run.tui.typeLine('use printf instead');
    await run.tui.waitFor('taking the advice');
    expect(existsSync(join(run.scene.workspace, 'b2.txt'))).toBe(false);
    expect(userTexts(run.scene.server.requests)).toContain('use printf instead');

    await run.tui.typeLine('fourth');
    await run.tui.waitFor('$ touch b3.txt');
    await run.tui.keys('c');
    screen = await run.tui.waitFor('turn interrupted');
    expect(screen).not.toContain('never said');
    expect(existsSync(join(run.scene.workspace, 'b3.txt'))).toBe(false);
    expect(toolOutputsSeen(run.scene.server.requests).length).toBeGreaterThan(0);
    await quitAndCheckTerminal(run.tui);
  });

  it('Esc interrupts a running command: the turn ends interrupted and no process is left', { timeout: 180_000 }, async () => {
    const sleep = uniqueSleep();
    run.scene = await scene({ turns: [call(`sleep ${sleep}`), [{ text: 'never said' }]] });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'wait a while']);
    await run.tui.waitFor('running…');
    await run.tui.waitFor(() => livePidsMatching(`sleep ${sleep}`).length > 0);
    await run.tui.keys('Escape');
    const screen = await run.tui.waitFor('turn interrupted');
    expect(screen).not.toContain('never said');
    await run.tui.waitFor(() => livePidsMatching(`sleep ${sleep}`).length === 0);
    const pid = await run.tui.pid();
    await quitAndCheckTerminal(run.tui);
    if (pid !== null) await run.tui.waitFor(() => !alive(pid));
  });

  it("/model offers the provider's models and switches the model that the next request names", { timeout: 180_000 }, async () => {
    run.scene = await scene({
      turns: [[{ text: 'first answer' }], [{ text: 'second answer' }]],
      models: ['gpt-5.1-codex', 'gpt-5.1-codex-max', 'local-coder-7b'],
    });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'hello']);
    await run.tui.waitFor('first answer');
    await run.tui.type('/model');
    await run.tui.waitFor('choose the model');
    await run.tui.keys('Enter');
    await run.tui.waitFor('Model and reasoning effort');
    // A model only the provider knows is offered too; a preset it does not serve is not.
    await run.tui.keys('Up');
    const bottom = await run.tui.waitFor('› local-coder-7b');
    expect(bottom).not.toContain('gpt-5.1-codex-mini');
    await run.tui.keys('Down');
    await run.tui.keys('Down', 'Down', 'Down');
    await run.tui.waitFor('› gpt-5.1-codex-max low');
    await run.tui.keys('Enter');
    await run.tui.waitFor('model for the next turns: gpt-5.1-codex-max (low)');
    await run.tui.typeLine('again');
    await run.tui.waitFor('second answer');
    const bodies = run.scene.server.requests as Array<{ model: string; reasoning?: { effort?: string } }>;
    expect(bodies[0]!.model).toBe('gpt-5.1-codex');
    expect(bodies.at(-1)!.model).toBe('gpt-5.1-codex-max');
    expect(bodies.at(-1)!.reasoning?.effort).toBe('low');
  });

  it('resume --last shows the recorded thread and continues it; resume alone lists recent threads', { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [[{ text: 'recorded answer' }], [{ text: 'continued answer' }]] });
    const first = await execCli(run.scene, ['--json', 'remember the first prompt']);
    expect(first.exitCode).toBe(0);
    run.tui = await TmuxTui.start(run.scene, ['resume', '--last']);
    let screen = await run.tui.waitFor('recorded answer');
    expect(screen).toContain('› remember the first prompt');
    await run.tui.typeLine('and now more');
    await run.tui.waitFor('continued answer');
    await quitAndCheckTerminal(run.tui);
    await run.tui.kill();

    run.tui = await TmuxTui.start(run.scene, ['resume']);
    screen = await run.tui.waitFor('Resume a thread');
    expect(screen).toContain('remember the first prompt');
    expect(screen).toContain(run.scene.workspace);
    await run.tui.keys('Enter');
    await run.tui.waitFor('resumed thread ');
  });
});

describe('statecraft (interactive UI) without a terminal', () => {
  it('says to use exec instead, and exits 1', async () => {
    const run = await execa('node', [CLI, 'do something'], { reject: false, stdin: 'pipe', env: { STATECRAFT_HOME: '/nonexistent' } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('the interactive UI needs a terminal');
    expect(run.stderr).toContain('statecraft exec');
  });
});
