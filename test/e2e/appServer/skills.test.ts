/** skills/list, the skills a thread loaded, and $name selection over the app-server. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenes, text } from './client.js';

const scene = scenes();

async function writeSkill(root: string, folder: string, body: string): Promise<string> {
  await mkdir(join(root, folder), { recursive: true });
  const path = join(root, folder, 'SKILL.md');
  await writeFile(path, body);
  return path;
}

describe('app-server: skills', () => {
  it('lists skills and errors per cwd, reloads on request, and a thread uses the skills it loaded', async () => {
    const f = await scene.open({ turns: [[{ text: 'done' }], [{ text: 'done again' }]] });
    const lint = await writeSkill(
      join(f.home, 'skills'),
      'lint',
      '---\nname: lint\ndescription: Lint everything\nmetadata:\n  short-description: Lint\n---\nRun the linter.\n',
    );
    const bad = await writeSkill(join(f.home, 'skills'), 'bad', 'no front matter here');
    const c = scene.connect(f);
    await c.init();

    const listed = await c.call('skills/list', { cwds: [f.ws] });
    expect(listed.data).toEqual([
      {
        cwd: f.ws,
        skills: [{ name: 'lint', description: 'Lint everything', shortDescription: 'Lint', path: lint, scope: 'user', enabled: true }],
        errors: [{ path: bad, message: expect.stringContaining('no front matter') }],
      },
    ]);

    // Cached: a skill added now is not seen until a reload is asked for.
    const later = await writeSkill(join(f.home, 'skills'), 'later', '---\nname: later\ndescription: Added later\n---\nLater body.\n');
    expect((await c.call('skills/list', { cwds: [f.ws] })).data[0].skills.map((s: any) => s.name)).toEqual(['lint']);
    expect((await c.call('skills/list', { cwds: [f.ws], forceReload: true })).data[0].skills.map((s: any) => s.name)).toEqual(['later', 'lint']);

    const started = await c.call('thread/start', { cwd: f.ws });
    expect(started.skills.map((s: any) => s.path)).toEqual([later, lint]);
    const { turn } = await c.call('turn/start', { threadId: started.thread.id, input: text('use $lint please') });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
    const first = JSON.stringify((f.model.requests[0] as { input: unknown[] }).input);
    expect(first).toContain(`- lint: Lint everything (file: ${lint})`);
    expect(first).toContain(`<skill name=\\"lint\\" path=\\"${lint}\\">`);
    expect(first).toContain('Run the linter.');

    // A skill input names the file itself.
    const second = await c.call('turn/start', { threadId: started.thread.id, input: [{ type: 'skill', name: 'later', path: later }] });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === second.turn.id);
    const next = JSON.stringify((f.model.requests[1] as { input: unknown[] }).input);
    expect(next).toContain('Later body.');

    const missing = await c.call('skills/list', { cwds: [join(f.ws, 'nope')] });
    expect(missing.data[0]).toMatchObject({ skills: [], errors: [{ path: join(f.ws, 'nope'), message: expect.stringContaining('does not exist') }] });
    expect(await c.close()).toBe(0);
  });
});
