/**
 * The TUI as a terminal sees it, through the built CLI in tmux: NO_COLOR, a small screen, a
 * resize, and the terminal given back after a model server that dies mid-turn and after SIGTERM.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scene } from './cli.harness.js';
import { hasTmux, openedPerTest, quitAndCheckTerminal, TmuxTui } from './tui.harness.js';

const run = openedPerTest();

/** The SGR sequences on a screen captured with escapes that set a colour (foreground or background). */
function colourCodes(screen: string): string[] {
  // eslint-disable-next-line no-control-regex -- SGR sequences start with ESC
  return [...screen.matchAll(/\u001b\[([0-9;:]*)m/g)]
    .map((match) => match[1]!)
    .filter((params) => params.split(/[;:]/).some((param) => /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(param)));
}

/** A turn with something of every coloured kind: Markdown with a code block, a patch, a command. */
const colourfulTurns = () => [
  [
    { text: '# Heading\n\nSome **bold** text and `inline code`.\n\n```ts\nconst answer: number = 42;\n```\n' },
    { custom: 'apply_patch', input: '*** Begin Patch\n*** Update File: notes.txt\n@@\n one\n-two\n+TWO\n*** End Patch\n' },
  ],
  [{ call: 'exec_command', args: { cmd: 'false' } }],
  [{ text: 'all done' }],
];

/** The composer's box and the status line under it, checked to fit `columns` and to be drawn once. */
function expectLayout(screen: string, columns: number): void {
  const lines = screen.split('\n');
  const tops = lines.filter((line) => line.startsWith('╭'));
  expect(tops, screen).toHaveLength(1);
  const top = lines.indexOf(tops[0]!);
  expect(tops[0]).toMatch(/^╭─+╮$/);
  expect([...tops[0]!]).toHaveLength(columns - 1);
  expect(lines[top + 1]).toMatch(/^│ › /);
  const bottom = lines.findIndex((line, index) => index > top && line.startsWith('╰'));
  expect([...lines[bottom]!]).toHaveLength(columns - 1);
  expect(lines[bottom + 1]).toMatch(/^gpt-5.1-codex medium · sandbox/);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
}

describe.skipIf(!hasTmux)('statecraft (interactive UI): the terminal', () => {
  it('with NO_COLOR set, no colour reaches the screen; without it, Markdown, code, the diff and the status are coloured', { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [...colourfulTurns(), ...colourfulTurns()] });
    await writeFile(join(run.scene.workspace, 'notes.txt'), 'one\ntwo\n');
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'show me colours'], { env: { NO_COLOR: '1' } });
    await run.tui.waitFor('all done');
    let screen = await run.tui.screen(true);
    // Everything is there, as plain text: the code, the diff lines, the failed command.
    expect(screen).toContain('const answer: number = 42;');
    expect(screen).toMatch(/^-two$/m);
    expect(screen).toMatch(/^\+TWO$/m);
    expect(screen).toContain('✗ exit 1');
    expect(colourCodes(screen)).toEqual([]);
    await quitAndCheckTerminal(run.tui);
    await run.tui.kill();

    await writeFile(join(run.scene.workspace, 'notes.txt'), 'one\ntwo\n');
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'show me colours']);
    await run.tui.waitFor('all done');
    screen = await run.tui.screen(true);
    const codes = colourCodes(screen);
    expect(codes.length).toBeGreaterThan(5);
    // The diff's added line in green, its removed line in red, the failed command's status in red.
    expect(screen).toContain('\u001b[32m+TWO');
    expect(screen).toContain('\u001b[31m-two');
    expect(screen).toContain('\u001b[31m✗ exit 1');
    await quitAndCheckTerminal(run.tui);
  });

  it('fits 80x24, and a resize redraws the history and the composer for the new width without leftovers', { timeout: 180_000 }, async () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `paragraph ${i + 1} of an answer long enough to wrap when the terminal narrows`).join('\n\n');
    run.scene = await scene({ turns: [[{ text: paragraphs }]] });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'a long answer please'], { size: [80, 24] });
    let screen = await run.tui.waitFor((text) => text.includes('paragraph 30 of') && !text.includes('working'));
    expectLayout(screen, 80);

    await run.tui.resize(60, 20);
    // The last paragraph is rewrapped for 60 columns.
    screen = await run.tui.waitFor((text) => /^paragraph 30 of an answer long enough to wrap when the\s*$/m.test(text));
    expectLayout(screen, 60);
    expect(screen).toMatch(/^terminal narrows$/m);

    await run.tui.resize(120, 30);
    screen = await run.tui.waitFor(
      (text) => /^paragraph 30 of an answer long enough to wrap when the terminal narrows$/m.test(text) && text.includes('╭' + '─'.repeat(117)),
    );
    expectLayout(screen, 120);
    // Typing still goes to the one composer.
    await run.tui.type('typed after the resize');
    screen = await run.tui.waitFor('│ › typed after the resize');
    expectLayout(screen, 120);
    // The first Ctrl+C clears the draft.
    await run.tui.keys('C-c');
    await run.tui.waitFor('│ ›  ask for a change');
    await quitAndCheckTerminal(run.tui);
  });

  it(
    'when the model server dies mid-answer, the turn fails with the reason and the UI carries on; the terminal is restored on quit',
    { timeout: 180_000 },
    async () => {
      run.scene = await scene({ turns: [[{ text: 'streaming slowly '.repeat(400), chunks: ['streaming ', 'slowly '], repeat: 400, delayMs: 20 }]] });
      run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'talk slowly']);
      await run.tui.waitFor('streaming slowly streaming');
      await run.scene.server.close();
      const screen = await run.tui.waitFor('turn failed');
      expect(screen).toMatch(/│ › /);
      await run.tui.type('still here');
      await run.tui.waitFor('│ › still here');
      await run.tui.keys('C-c');
      await run.tui.waitFor('│ ›  ask for a change');
      await quitAndCheckTerminal(run.tui);
    },
  );

  it(
    'SIGTERM in the middle of a streamed answer ends the UI with 143 and gives the terminal back (echo, line mode, cursor)',
    { timeout: 180_000 },
    async () => {
      run.scene = await scene({ turns: [[{ text: 'word '.repeat(2000), chunks: ['word '], repeat: 2000, delayMs: 10 }]] });
      run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'keep going']);
      await run.tui.waitFor('word word word');
      expect(await run.tui.cursorShown()).toBe(false);
      const pid = await run.tui.pid();
      expect(pid).not.toBeNull();
      process.kill(pid!, 'SIGTERM');
      await run.tui.waitFor('EXITED=143');
      const settings = await run.tui.ttySettings();
      expect(settings).toMatch(/(^|\s)icanon(\s|$)/);
      expect(settings).toMatch(/(^|\s)echo(\s|$)/);
      expect(await run.tui.cursorShown()).toBe(true);
    },
  );

  it('a crash (an exception nothing catches) mid-stream ends the UI with the error on screen and gives the terminal back', { timeout: 180_000 }, async () => {
    // The crash comes from outside the product: a module preloaded into the UI's Node throws when sent SIGUSR2.
    const crasher = `process.on('SIGUSR2', () => setImmediate(() => { throw new Error('injected crash'); }));`;
    run.scene = await scene({ turns: [[{ text: 'word '.repeat(2000), chunks: ['word '], repeat: 2000, delayMs: 10 }]] });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'keep going'], {
      env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(crasher)}` },
    });
    await run.tui.waitFor('word word word');
    expect(await run.tui.cursorShown()).toBe(false);
    const pid = await run.tui.pid();
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGUSR2');
    const screen = await run.tui.waitFor('EXITED=1');
    expect(screen).toContain('the terminal UI failed: Error: injected crash');
    const settings = await run.tui.ttySettings();
    expect(settings).toMatch(/(^|\s)icanon(\s|$)/);
    expect(settings).toMatch(/(^|\s)echo(\s|$)/);
    expect(await run.tui.cursorShown()).toBe(true);
  });
});
