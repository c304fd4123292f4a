import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverSkills, prepareTurn } from '../../../actors/prompt/index.js';
import { SKILL_BODY_CAP_BYTES, SKILLS_LIST_CAP_BYTES, mentionedSkills, parseSkill, skillsInstructions } from '../../../actors/prompt/skills.js';
import type { SkillMetadata } from '../../../protocol/index.js';
import { markRepository } from '../../support/git.js';
import { settingsFor, tempDir } from './fixtures.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

const skillText = (name: string, description: string, body = 'Do the thing.') => `---\nname: ${name}\ndescription: ${description}\n---\n${body}\n`;

async function writeSkill(root: string, folder: string, text: string): Promise<string> {
  await mkdir(join(root, folder), { recursive: true });
  const path = join(root, folder, 'SKILL.md');
  await writeFile(path, text);
  return path;
}

async function layout() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const home = join(dir, 'home');
  const root = join(dir, 'repo');
  const sub = join(root, 'packages', 'app');
  await mkdir(home, { recursive: true });
  await mkdir(sub, { recursive: true });
  await markRepository(root);
  return { dir, home, root, sub };
}

describe('SKILL.md front matter', () => {
  it('reads name, description and metadata.short-description with a YAML parser', async () => {
    const text = '---\nname: "deploy"\ndescription: >\n  Ship the service\n  to production\nmetadata:\n  short-description: Ship it\n---\nbody';
    await expect(parseSkill(text, '/s/SKILL.md', 'user')).resolves.toEqual({
      name: 'deploy',
      description: 'Ship the service to production',
      shortDescription: 'Ship it',
      path: '/s/SKILL.md',
      scope: 'user',
      enabled: true,
    });
  });

  it.each([
    ['# no front matter', /no front matter/],
    ['---\nname: [unclosed\n---\n', /invalid YAML/],
    ['---\n- a\n- b\n---\n', /must be a YAML mapping/],
    ['---\ndescription: d\n---\n', /`name` is required/],
    ['---\nname: n\ndescription: ""\n---\n', /`description` is required/],
    [`---\nname: ${'x'.repeat(65)}\ndescription: d\n---\n`, /`name` is 65 characters long; the limit is 64/],
    ['---\nname: n\ndescription: d\nmetadata: 3\n---\n', /`metadata` must be a mapping/],
  ])('refuses %j with a reason', async (text, reason) => {
    await expect(parseSkill(text, '/s/SKILL.md', 'user')).rejects.toThrow(reason);
  });
});

describe('skills discovery', () => {
  it('finds user skills and, in a trusted project, project skills from the root down to cwd', async () => {
    const { home, root, sub } = await layout();
    const user = await writeSkill(join(home, 'skills'), 'tools/lint', skillText('lint', 'Lint the code'));
    const atRoot = await writeSkill(join(root, '.statecraft', 'skills'), 'release', skillText('release', 'Cut a release'));
    const deeper = await writeSkill(join(sub, '.statecraft', 'skills'), 'app-test', skillText('app-test', 'Test the app'));
    await writeSkill(join(home, 'skills'), '.hidden/secret', skillText('secret', 'never found'));
    const { skills, errors } = await discoverSkills(home, sub, true);
    expect(errors).toEqual([]);
    expect(skills.map((skill) => [skill.name, skill.scope, skill.path])).toEqual([
      ['app-test', 'repo', deeper],
      ['lint', 'user', user],
      ['release', 'repo', atRoot],
    ]);
  });

  it('ignores project skills of an untrusted project', async () => {
    const { home, root } = await layout();
    await writeSkill(join(root, '.statecraft', 'skills'), 'release', skillText('release', 'Cut a release'));
    await writeSkill(join(home, 'skills'), 'lint', skillText('lint', 'Lint the code'));
    const { skills } = await discoverSkills(home, root, false);
    expect(skills.map((skill) => skill.name)).toEqual(['lint']);
  });

  it('reports a bad file once with its path and reason, and still loads the others', async () => {
    const { home, root } = await layout();
    const bad = await writeSkill(join(home, 'skills'), 'broken', '---\nname: broken\n---\nno description');
    await writeSkill(join(home, 'skills'), 'good', skillText('good', 'Works'));
    const { skills, errors } = await discoverSkills(home, root, true);
    expect(skills.map((skill) => skill.name)).toEqual(['good']);
    expect(errors).toEqual([{ path: bad, message: expect.stringContaining('`description` is required') }]);
  });

  it('resolves a duplicate name by precedence (project over user, deeper over shallower) and reports it', async () => {
    const { home, root, sub } = await layout();
    const user = await writeSkill(join(home, 'skills'), 'deploy', skillText('deploy', 'user version'));
    const atRoot = await writeSkill(join(root, '.statecraft', 'skills'), 'deploy', skillText('deploy', 'root version'));
    const deeper = await writeSkill(join(sub, '.statecraft', 'skills'), 'deploy', skillText('deploy', 'app version'));
    const { skills, errors } = await discoverSkills(home, sub, true);
    expect(skills).toEqual([expect.objectContaining({ name: 'deploy', description: 'app version', path: deeper, scope: 'repo' })]);
    expect(errors).toEqual([
      { path: user, message: `duplicate skill name "deploy": ${atRoot} takes precedence over this one` },
      { path: atRoot, message: `duplicate skill name "deploy": ${deeper} takes precedence over this one` },
    ]);
  });
});

const skill = (name: string, path = `/skills/${name}/SKILL.md`): SkillMetadata => ({
  name,
  description: `does ${name}`,
  shortDescription: null,
  path,
  scope: 'user',
  enabled: true,
});

describe('skills in the model context', () => {
  it('lists name, description and path, and stops at the size cap with a count of the rest', () => {
    expect(skillsInstructions([])).toBeNull();
    expect(skillsInstructions([skill('lint')])).toContain('- lint: does lint (file: /skills/lint/SKILL.md)');
    const many = Array.from({ length: 400 }, (_, i) => skill(`skill-${String(i).padStart(3, '0')}`));
    const listing = skillsInstructions(many)!;
    expect(Buffer.byteLength(listing)).toBeLessThanOrEqual(SKILLS_LIST_CAP_BYTES + 200);
    expect(listing).toMatch(/- … \d+ more skills not listed \(the list is capped at 8192 bytes\)$/);
    expect(listing).toContain('skill-000');
    expect(listing).not.toContain('skill-399');
  });

  it('finds $name mentions of loaded skills only, once each, skipping explicitly chosen ones', () => {
    const skills = [skill('lint'), skill('deploy'), skill('release')];
    const chosen = mentionedSkills(
      [
        { type: 'text', text: 'use $deploy, then $lint. Not $unknown, not a$release, and $deploy again; cost $5', text_elements: [] },
        { type: 'skill', name: 'lint', path: '/skills/lint/SKILL.md' },
      ],
      skills,
    );
    expect(chosen.map((entry) => entry.name)).toEqual(['deploy']);
  });

  it('injects a mentioned skill body into the turn, capped with a note, and lists skills on the first turn', async () => {
    const { home, root } = await layout();
    const path = await writeSkill(join(home, 'skills'), 'big', skillText('big', 'A long one', `START ${'y'.repeat(SKILL_BODY_CAP_BYTES)} END`));
    const turn = await prepareTurn({
      settings: settingsFor(root),
      history: [],
      home,
      skills: [skill('big', path)],
      userInput: [{ type: 'text', text: 'please $big', text_elements: [] }],
    });
    const contextTexts = turn.contextItems.map((item) => JSON.stringify(item));
    expect(contextTexts.some((text) => text.includes('## Skills') && text.includes(`- big: does big (file: ${path})`))).toBe(true);
    const parts = (turn.userItem as { content: Array<{ text?: string }> }).content;
    expect(parts[0]?.text).toBe('please $big');
    expect(parts[1]?.text).toMatch(new RegExp(`^<skill name="big" path="${path}">\\n---\\nname: big`));
    expect(parts[1]?.text).toContain('START');
    expect(parts[1]?.text).not.toContain('END');
    expect(parts[1]?.text).toMatch(/\[truncated: \d+ bytes omitted from .*SKILL\.md\]\n<\/skill>$/);
  });
});
