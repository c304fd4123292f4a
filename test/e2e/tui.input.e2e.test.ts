/**
 * The TUI's composer reaching the model, through the built CLI in tmux against the scripted
 * model: `/compact`, a skill chosen with `$`, images by `-i` and by a pasted path, and the
 * `resume` picker that opens no thread before a choice; an MCP server's question answered in a form.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutFiles } from './appServer/client.js';
import { fixtureToml } from '../support/mcp.fixture.js';
import { execCli, scene, toolOutputsSeen, type Scene } from './cli.harness.js';
import { hasTmux, quitAndCheckTerminal, TmuxTui } from './tui.harness.js';

let current: Scene | null = null;
let tui: TmuxTui | null = null;
afterEach(async () => {
  await tui?.kill();
  tui = null;
  await current?.cleanup();
  current = null;
});

/** What the model was sent in a request, as text to search. */
const sent = (s: Scene, index: number): string => JSON.stringify((s.server.requests[index] as { input?: unknown }).input ?? null);

/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe.skipIf(!hasTmux)('statecraft (interactive UI): what the composer sends', () => {
  it('/compact asks the model for a summary, shows the compaction, and the next turn starts from the summary', { timeout: 180_000 }, async () => {
    current = await scene({
      turns: [[{ text: 'first answer with EARLY-DETAIL-MARKER' }], [{ text: 'HANDOFF-SUMMARY: the user said hello.' }], [{ text: 'after the summary' }]],
    });
    tui = await TmuxTui.start(current, ['-a', 'never', 'hello']);
    await tui.waitFor('first answer with EARLY-DETAIL-MARKER');
    await tui.type('/comp');
    await tui.waitFor('summarize the conversation');
    await tui.keys('Enter');
    await tui.waitFor('✓ context compacted');
    expect(current.server.requests).toHaveLength(2);
    // The compaction request carries the conversation and asks for a handoff.
    expect(sent(current, 1)).toContain('EARLY-DETAIL-MARKER');
    expect(sent(current, 1)).toContain('handoff note');
    await tui.typeLine('carry on');
    await tui.waitFor('after the summary');
    const next = sent(current, 2);
    expect(next).toContain('HANDOFF-SUMMARY');
    expect(next).toContain('carry on');
    expect(next).not.toContain('first answer with EARLY-DETAIL-MARKER');
    await quitAndCheckTerminal(tui);
  });

  it("$ opens the skills picker; the chosen skill's SKILL.md reaches the model with the message", { timeout: 180_000 }, async () => {
    current = await scene({ turns: [[{ text: 'used the skill' }]] });
    const dir = join(current.home, 'skills', 'release-notes');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'SKILL.md'),
      '---\nname: release-notes\ndescription: Writes release notes from the git log\n---\n\nSKILL-BODY-MARKER: group the changes by area.\n',
    );
    tui = await TmuxTui.start(current, ['-a', 'never']);
    await tui.waitFor('sandbox workspace-write');
    await tui.type('write them with $rel');
    let screen = await tui.waitFor('$release-notes');
    expect(screen).toContain('Writes release notes from the git log');
    await tui.keys('Tab');
    await tui.waitFor('write them with $release-notes');
    await tui.typeLine('please');
    screen = await tui.waitFor('used the skill');
    expect(screen).toContain('› write them with $release-notes please');
    const request = sent(current, 0);
    expect(request).toContain('SKILL-BODY-MARKER: group the changes by area.');
    expect(request).toContain('<skill name=\\"release-notes\\"');
    await quitAndCheckTerminal(tui);
  });

  it('attaches images given with -i and pasted as a path; both reach the model as input images', { timeout: 180_000 }, async () => {
    current = await scene({ turns: [[{ text: 'saw the first' }], [{ text: 'saw the second' }]] });
    await writeFile(join(current.workspace, 'first.png'), PNG);
    const second = join(current.workspace, 'second shot.png');
    await writeFile(second, PNG);
    tui = await TmuxTui.start(current, ['-a', 'never', 'what is in this image', '-i', 'first.png']);
    await tui.waitFor('saw the first');
    const dataUrl = `data:image/png;base64,${PNG.toString('base64')}`;
    expect(sent(current, 0)).toContain(dataUrl);
    expect(sent(current, 0)).toContain(`path=\\"${join(current.workspace, 'first.png')}\\"`);

    // A path pasted in one piece (as a terminal pastes a dropped file) attaches the file.
    await tui.type(second);
    await tui.waitFor(`[image 1] ${second}`);
    await tui.typeLine('and this one?');
    await tui.waitFor('saw the second');
    const request = sent(current, 1);
    expect(request).toContain(`path=\\"${second}\\"`);
    expect(request.split(dataUrl)).toHaveLength(3);
    expect(request).toContain('and this one?');
    await quitAndCheckTerminal(tui);
  });

  it('resume with no id opens no thread while the picker is up; picking continues the recorded one, Esc opens a new one', { timeout: 180_000 }, async () => {
    current = await scene({ turns: [[{ text: 'recorded answer' }]] });
    expect((await execCli(current, ['remember this prompt'])).exitCode).toBe(0);
    expect(await rolloutFiles(current.home)).toHaveLength(1);

    tui = await TmuxTui.start(current, ['resume']);
    let screen = await tui.waitFor('Resume a thread');
    expect(screen).toContain('remember this prompt');
    // No throwaway thread: nothing recorded, no settings to show yet.
    expect(await rolloutFiles(current.home)).toHaveLength(1);
    expect(screen).toContain('starting…');
    await tui.keys('Enter');
    screen = await tui.waitFor('resumed thread ');
    expect(screen).toContain('recorded answer');
    expect(await rolloutFiles(current.home)).toHaveLength(1);
    await quitAndCheckTerminal(tui);
    await tui.kill();

    tui = await TmuxTui.start(current, ['resume']);
    await tui.waitFor('Resume a thread');
    await tui.keys('Escape');
    await tui.waitFor('sandbox workspace-write');
    await tui.waitFor(async () => (await rolloutFiles(current!.home)).length === 2);
  });

  it("answers an MCP server's question field by field: a wrong value is asked again, and the answer reaches the server", { timeout: 180_000 }, async () => {
    current = await scene({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'Green it is.' }]] });
    await writeFile(join(current.home, 'config.toml'), fixtureToml('fx'));
    tui = await TmuxTui.start(current, ['-a', 'never', 'ask me']);
    await tui.waitFor('The MCP server fx asks: Which color should the note be?');
    await tui.keys('a');
    await tui.waitFor('1/2 Color [red/green]');
    await tui.typeLine('blue');
    await tui.waitFor('type one of: red, green');
    await tui.keys('BSpace', 'BSpace', 'BSpace', 'BSpace');
    await tui.typeLine('green');
    await tui.waitFor('2/2 Urgent');
    await tui.typeLine('y');
    await tui.waitFor('Green it is.');
    expect(toolOutputsSeen(current.server.requests)).toEqual([JSON.stringify({ action: 'accept', content: { color: 'green', urgent: true } })]);
    await quitAndCheckTerminal(tui);
  });

  it("declines an MCP server's question with d, and the server hears decline", { timeout: 180_000 }, async () => {
    current = await scene({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'No color then.' }]] });
    await writeFile(join(current.home, 'config.toml'), fixtureToml('fx'));
    tui = await TmuxTui.start(current, ['-a', 'never', 'ask me']);
    await tui.waitFor('[d] decline');
    await tui.keys('d');
    await tui.waitFor('No color then.');
    expect(toolOutputsSeen(current.server.requests)).toEqual([JSON.stringify({ action: 'decline' })]);
  });
});
