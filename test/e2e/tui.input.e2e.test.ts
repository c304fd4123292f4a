/**
 * The TUI's composer reaching the model, through the built CLI in tmux against the scripted
 * model: `/compact`, a skill chosen with `$`, images by `-i` and by a pasted path, and the
 * `resume` picker that opens no thread before a choice; an MCP server's question answered in a form.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rolloutFiles } from './appServer/client.js';
import { fixtureToml } from '../support/mcp.fixture.js';
import { execCli, scene, toolOutputsSeen, type Scene } from './cli.harness.js';
import { hasTmux, openedPerTest, quitAndCheckTerminal, TmuxTui } from './tui.harness.js';

const run = openedPerTest();

/** What the model was sent in a request, as text to search. */
const sent = (s: Scene, index: number): string => JSON.stringify((s.server.requests[index] as { input?: unknown }).input ?? null);

/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe.skipIf(!hasTmux)('statecraft (interactive UI): what the composer sends', () => {
  it('/compact asks the model for a summary, shows the compaction, and the next turn starts from the summary', { timeout: 180_000 }, async () => {
    run.scene = await scene({
      turns: [[{ text: 'first answer with EARLY-DETAIL-MARKER' }], [{ text: 'HANDOFF-SUMMARY: the user said hello.' }], [{ text: 'after the summary' }]],
    });
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'hello']);
    await run.tui.waitFor('first answer with EARLY-DETAIL-MARKER');
    await run.tui.type('/comp');
    await run.tui.waitFor('summarize the conversation');
    await run.tui.keys('Enter');
    await run.tui.waitFor('✓ context compacted');
    expect(run.scene.server.requests).toHaveLength(2);
    // The compaction request carries the conversation and asks for a handoff.
    expect(sent(run.scene, 1)).toContain('EARLY-DETAIL-MARKER');
    expect(sent(run.scene, 1)).toContain('handoff note');
    await run.tui.typeLine('carry on');
    await run.tui.waitFor('after the summary');
    const next = sent(run.scene, 2);
    expect(next).toContain('HANDOFF-SUMMARY');
    expect(next).toContain('carry on');
    expect(next).not.toContain('first answer with EARLY-DETAIL-MARKER');
    await quitAndCheckTerminal(run.tui);
  });

  it("$ opens the skills picker; the chosen skill's SKILL.md reaches the model with the message", { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [[{ text: 'used the skill' }]] });
    const dir = join(run.scene.home, 'skills', 'release-notes');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'SKILL.md'),
      '---\nname: release-notes\ndescription: Writes release notes from the git log\n---\n\nSKILL-BODY-MARKER: group the changes by area.\n',
    );
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never']);
    await run.tui.waitFor('sandbox workspace-write');
    await run.tui.type('write them with $rel');
    let screen = await run.tui.waitFor('$release-notes');
    expect(screen).toContain('Writes release notes from the git log');
    await run.tui.keys('Tab');
    await run.tui.waitFor('write them with $release-notes');
    await run.tui.typeLine('please');
    screen = await run.tui.waitFor('used the skill');
    expect(screen).toContain('› write them with $release-notes please');
    const request = sent(run.scene, 0);
    expect(request).toContain('SKILL-BODY-MARKER: group the changes by area.');
    expect(request).toContain('<skill name=\\"release-notes\\"');
    await quitAndCheckTerminal(run.tui);
  });

  it('attaches images given with -i and pasted as a path; both reach the model as input images', { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [[{ text: 'saw the first' }], [{ text: 'saw the second' }]] });
    await writeFile(join(run.scene.workspace, 'first.png'), PNG);
    const second = join(run.scene.workspace, 'second shot.png');
    await writeFile(second, PNG);
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'what is in this image', '-i', 'first.png']);
    await run.tui.waitFor('saw the first');
    const dataUrl = `data:image/png;base64,${PNG.toString('base64')}`;
    expect(sent(run.scene, 0)).toContain(dataUrl);
    expect(sent(run.scene, 0)).toContain(`path=\\"${join(run.scene.workspace, 'first.png')}\\"`);

    // A path pasted in one piece (as a terminal pastes a dropped file) attaches the file.
    await run.tui.type(second);
    await run.tui.waitFor(`[image 1] ${second}`);
    await run.tui.typeLine('and this one?');
    await run.tui.waitFor('saw the second');
    const request = sent(run.scene, 1);
    expect(request).toContain(`path=\\"${second}\\"`);
    expect(request.split(dataUrl)).toHaveLength(3);
    expect(request).toContain('and this one?');
    await quitAndCheckTerminal(run.tui);
  });

  it('resume with no id opens no thread while the picker is up; picking continues the recorded one, Esc opens a new one', { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [[{ text: 'recorded answer' }]] });
    expect((await execCli(run.scene, ['remember this prompt'])).exitCode).toBe(0);
    expect(await rolloutFiles(run.scene.home)).toHaveLength(1);

    run.tui = await TmuxTui.start(run.scene, ['resume']);
    let screen = await run.tui.waitFor('Resume a thread');
    expect(screen).toContain('remember this prompt');
    // No throwaway thread: nothing recorded, no settings to show yet.
    expect(await rolloutFiles(run.scene.home)).toHaveLength(1);
    expect(screen).toContain('starting…');
    await run.tui.keys('Enter');
    screen = await run.tui.waitFor('resumed thread ');
    expect(screen).toContain('recorded answer');
    expect(await rolloutFiles(run.scene.home)).toHaveLength(1);
    await quitAndCheckTerminal(run.tui);
    await run.tui.kill();

    run.tui = await TmuxTui.start(run.scene, ['resume']);
    await run.tui.waitFor('Resume a thread');
    await run.tui.keys('Escape');
    await run.tui.waitFor('sandbox workspace-write');
    await run.tui.waitFor(async () => (await rolloutFiles(run.scene!.home)).length === 2);
  });

  it("answers an MCP server's question field by field: a wrong value is asked again, and the answer reaches the server", { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'Green it is.' }]] });
    await writeFile(join(run.scene.home, 'config.toml'), fixtureToml('fx'));
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'ask me']);
    await run.tui.waitFor('The MCP server fx asks: Which color should the note be?');
    await run.tui.keys('a');
    await run.tui.waitFor('1/2 Color [red/green]');
    await run.tui.typeLine('blue');
    await run.tui.waitFor('type one of: red, green');
    await run.tui.keys('BSpace', 'BSpace', 'BSpace', 'BSpace');
    await run.tui.typeLine('green');
    await run.tui.waitFor('2/2 Urgent');
    await run.tui.typeLine('y');
    await run.tui.waitFor('Green it is.');
    expect(toolOutputsSeen(run.scene.server.requests)).toEqual([JSON.stringify({ action: 'accept', content: { color: 'green', urgent: true } })]);
    await quitAndCheckTerminal(run.tui);
  });

  it("declines an MCP server's question with d, and the server hears decline", { timeout: 180_000 }, async () => {
    run.scene = await scene({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'No color then.' }]] });
    await writeFile(join(run.scene.home, 'config.toml'), fixtureToml('fx'));
    run.tui = await TmuxTui.start(run.scene, ['-a', 'never', 'ask me']);
    await run.tui.waitFor('[d] decline');
    await run.tui.keys('d');
    await run.tui.waitFor('No color then.');
    expect(toolOutputsSeen(run.scene.server.requests)).toEqual([JSON.stringify({ action: 'decline' })]);
  });
});
