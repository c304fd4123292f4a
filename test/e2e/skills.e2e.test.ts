/** Skills through the built CLI: discovered once, listed to the model, injected when named with $name. */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { markRepository } from '../support/git.js';
import { CLI, execCli, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

async function writeSkill(root: string, folder: string, text: string): Promise<string> {
  await mkdir(join(root, folder), { recursive: true });
  const path = join(root, folder, 'SKILL.md');
  await writeFile(path, text);
  return path;
}

/** A home with a user skill and a broken one, and a trusted repository with a project skill that shadows a user one. */
async function skillScene(): Promise<Scene & { deploy: string; broken: string; review: string; shadowed: string }> {
  const s = (current = await scene({ turns: [[{ text: 'Deployed.' }], [{ text: 'Listed.' }]] }));
  await markRepository(s.workspace);
  const deploy = await writeSkill(
    join(s.home, 'skills'),
    'deploy',
    '---\nname: deploy\ndescription: Ship the service\n---\nRun `make ship` and nothing else.\n',
  );
  const broken = await writeSkill(join(s.home, 'skills'), 'broken', '---\nname: broken\ndescription: [oops\n---\n');
  const shadowed = await writeSkill(join(s.home, 'skills'), 'review', '---\nname: review\ndescription: user review\n---\nuser body\n');
  const review = await writeSkill(
    join(s.workspace, '.statecraft', 'skills'),
    'review',
    '---\nname: review\ndescription: Review like this repo wants\n---\nrepo body\n',
  );
  await appendFile(join(s.home, 'config.toml'), `[projects."${s.workspace}"]\ntrust_level = "trusted"\n`);
  return { ...s, deploy, broken, review, shadowed };
}

const requestText = (body: unknown): string => JSON.stringify((body as { input: unknown[] }).input);

describe('skills in statecraft exec', () => {
  it('lists the skills to the model, injects a $named one, and reports a bad file once', async () => {
    const s = await skillScene();
    const result = await execCli(s, ['--json', 'please $deploy now']);
    expect(result.exitCode).toBe(0);
    const sent = requestText(s.server.requests[0]);
    expect(sent).toContain('## Skills');
    expect(sent).toContain(`- deploy: Ship the service (file: ${s.deploy})`);
    expect(sent).toContain(`- review: Review like this repo wants (file: ${s.review})`);
    expect(sent).not.toContain('user review');
    expect(sent).toContain(`<skill name=\\"deploy\\" path=\\"${s.deploy}\\">`);
    expect(sent).toContain('Run `make ship` and nothing else.');
    expect(sent).not.toContain('repo body');
    const stderr = String(result.stderr);
    expect(stderr.split(`skill ${s.broken}: invalid YAML in the front matter`).length - 1).toBe(1);
    expect(stderr).toContain(`skill ${s.shadowed}: duplicate skill name "review": ${s.review} takes precedence over this one`);
  });

  it('does not inject anything for an unknown $name, and skips project skills when the project is untrusted', async () => {
    const s = await skillScene();
    await writeFile(join(s.home, 'config.toml'), '');
    const result = await execCli(s, ['--json', 'cost is $review and $nothing']);
    expect(result.exitCode).toBe(0);
    const sent = requestText(s.server.requests[0]);
    expect(sent).toContain(`- review: user review (file: ${s.shadowed})`);
    expect(sent).toContain(`<skill name=\\"review\\" path=\\"${s.shadowed}\\">`);
    expect(sent).not.toContain('repo body');
    expect(sent).not.toContain('name=\\"nothing\\"');
  });
});

describe('statecraft skills list', () => {
  const run = (s: Scene, args: string[]) =>
    execa('node', [CLI, 'skills', 'list', '-C', s.workspace, ...args], { reject: false, env: { HOME: s.root, STATECRAFT_HOME: s.home } });

  it('prints the skills and errors as JSON', async () => {
    const s = await skillScene();
    const result = await run(s, ['--json']);
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout) as { cwd: string; skills: Array<Record<string, unknown>>; errors: Array<{ path: string; message: string }> };
    expect(listed.cwd).toBe(s.workspace);
    expect(listed.skills.map((skill) => [skill.name, skill.scope, skill.path])).toEqual([
      ['deploy', 'user', s.deploy],
      ['review', 'repo', s.review],
    ]);
    expect(listed.errors.map((error) => error.path).sort()).toEqual([s.broken, s.shadowed].sort());
  });

  it('prints a readable list, with the broken files on stderr', async () => {
    const s = await skillScene();
    const result = await run(s, []);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`deploy (user)  Ship the service\n  ${s.deploy}`);
    expect(result.stderr).toContain(`error: ${s.broken}: invalid YAML in the front matter`);
  });
});
