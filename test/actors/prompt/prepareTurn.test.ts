import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareTurn } from '../../../actors/prompt/index.js';
import type { ResponseItem } from '../../../protocol/index.js';
import { settingsFor, tempDir, TINY_PNG } from './fixtures.js';
import { markRepository } from '../../support/git.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function workspace() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const home = join(dir, 'home');
  const ws = join(dir, 'ws');
  await mkdir(home);
  await markRepository(ws);
  return { dir, home, ws };
}

const textsOf = (item: ResponseItem | undefined) =>
  ((item as { content?: Array<{ text?: string }> } | undefined)?.content ?? []).map((part) => part.text ?? '');

describe('prepareTurn context items', () => {
  it('sends developer instructions, AGENTS.md and environment context on the first turn', async () => {
    const { home, ws } = await workspace();
    await writeFile(join(ws, 'AGENTS.md'), 'use pnpm');
    const settings = settingsFor(ws, { developerInstructions: 'be terse' });
    const turn = await prepareTurn({ settings, history: [], home, skills: [], userInput: [{ type: 'text', text: 'hi', text_elements: [] }] });
    expect(turn.contextItems.map((item) => (item as { role?: string }).role)).toEqual(['developer', 'user', 'user']);
    expect(textsOf(turn.contextItems[0])).toEqual(['be terse']);
    expect(textsOf(turn.contextItems[1])[0]).toContain('use pnpm');
    expect(textsOf(turn.contextItems[2])[0]).toMatch(/^<environment_context>/);
    expect(turn.userItem).toEqual({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] });
  });

  it('omits developer and AGENTS.md messages when there are none', async () => {
    const { home, ws } = await workspace();
    const turn = await prepareTurn({ settings: settingsFor(ws), history: [], home, skills: [], userInput: [] });
    expect(turn.contextItems).toHaveLength(1);
  });

  it('resends the environment context only when it changed', async () => {
    const { home, ws } = await workspace();
    const settings = settingsFor(ws);
    const first = await prepareTurn({ settings, history: [], home, skills: [], userInput: [{ type: 'text', text: 'a', text_elements: [] }] });
    const history = [...first.contextItems, first.userItem];
    const same = await prepareTurn({ settings, history, home, skills: [], userInput: [{ type: 'text', text: 'b', text_elements: [] }] });
    expect(same.contextItems).toEqual([]);

    const other = join(ws, 'sub');
    await mkdir(other);
    const moved = await prepareTurn({ settings: { ...settings, cwd: other }, history, home, skills: [], userInput: [] });
    expect(moved.contextItems).toHaveLength(1);
    expect(textsOf(moved.contextItems[0])[0]).toContain(`<cwd>${other}</cwd>`);
  });
});

describe('prepareTurn user item', () => {
  it('turns images, local images and skills into content parts', async () => {
    const { dir, home, ws } = await workspace();
    await writeFile(join(ws, 'shot.png'), TINY_PNG);
    const skillDir = join(dir, 'skills', 'deploy');
    await mkdir(skillDir, { recursive: true });
    await writeFile(join(skillDir, 'SKILL.md'), '# Deploy\nRun make deploy.');
    const turn = await prepareTurn({
      settings: settingsFor(ws),
      history: [],
      home,
      skills: [],
      userInput: [
        { type: 'image', url: 'https://example.com/a.png' },
        { type: 'localImage', path: 'shot.png' },
        { type: 'skill', name: 'deploy', path: join(skillDir, 'SKILL.md') },
        { type: 'skill', name: 'gone', path: join(dir, 'nope', 'SKILL.md') },
      ],
    });
    const content = (turn.userItem as { content: Array<{ type: string; text?: string; image_url?: string }> }).content;
    expect(content[0]).toEqual({ type: 'input_image', image_url: 'https://example.com/a.png' });
    // A local image is framed by its number and path, as the reference frames it.
    expect(content.slice(1, 4)).toEqual([
      { type: 'input_text', text: '<image name=[Image #1] path="shot.png">' },
      { type: 'input_image', image_url: `data:image/png;base64,${TINY_PNG.toString('base64')}` },
      { type: 'input_text', text: '</image>' },
    ]);
    expect(content[4]?.text).toMatch(/^<skill name="deploy"[^>]*>\n# Deploy\nRun make deploy.\n<\/skill>$/);
    expect(content[5]?.text).toContain('skill gone could not be loaded');
  });

  it('notes a missing local image instead of throwing', async () => {
    const { home, ws } = await workspace();
    const missing = join(ws, 'missing.png');
    const turn = await prepareTurn({ settings: settingsFor(ws), history: [], home, skills: [], userInput: [{ type: 'localImage', path: missing }] });
    const content = (turn.userItem as { content: Array<{ type: string; text?: string }> }).content;
    expect(content[0]?.type).toBe('input_text');
    expect(content[0]?.text).toContain(missing);
    expect(content[0]?.text).toContain('no such file');
  });
});
