import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAllowRule, loadRules, RuleBaseline } from '../../../../actors/policy/rules/index.js';
import { tempDir, writeText } from './helpers.js';

const allow = (word: string) => `[[rule]]\npattern = ["${word}"]\ndecision = "allow"\n`;
const forbid = (word: string) => `[[rule]]\npattern = ["${word}"]\ndecision = "forbidden"\n`;

/** A home and a trusted project, with a baseline taken now. */
async function scene(files: Record<string, string>) {
  const home = await tempDir();
  const project = join(home, 'project');
  for (const [path, text] of Object.entries(files)) await writeText(join(home, path), text);
  const options = { home, projectRoot: project, projectTrusted: true };
  const baseline = new RuleBaseline();
  await baseline.capture(options);
  const load = async () => {
    const { rules, errors } = await loadRules({ ...options, baseline });
    return { rules: rules.map((r) => `${r.decision} ${r.pattern.join(' ')}`).sort(), errors: errors.map((e) => e.message) };
  };
  return { home, project, baseline, load };
}

describe('rule files written during the thread', () => {
  it('keeps files as they were at the start', async () => {
    const { load } = await scene({ 'rules/a.toml': allow('ls'), 'project/.statecraft/rules/p.toml': allow('make') });
    expect(await load()).toEqual({ rules: ['allow ls', 'allow make'], errors: [] });
  });

  it('ignores the allow rules of a file that appears, keeps its forbidden ones, and says so', async () => {
    const { home, load } = await scene({});
    await writeText(join(home, 'project', '.statecraft', 'rules', 'agent.toml'), allow('touch') + forbid('rm'));
    const loaded = await load();
    expect(loaded.rules).toEqual(['forbidden rm']);
    expect(loaded.errors).toEqual([
      `${join(home, 'project', '.statecraft', 'rules', 'agent.toml')} appeared during this thread, and not through an amendment you accepted`,
    ]);
  });

  it('keeps the forbidden rules a file had at the start when it changes or goes away', async () => {
    const { home, load } = await scene({ 'rules/a.toml': forbid('rm') + allow('ls'), 'rules/b.toml': forbid('dd') });
    await writeText(join(home, 'rules', 'a.toml'), allow('rm') + allow('ls') + allow('touch'));
    await rm(join(home, 'rules', 'b.toml'));
    const loaded = await load();
    expect(loaded.rules).toEqual(['forbidden dd', 'forbidden rm']);
    expect(loaded.errors).toEqual([
      `${join(home, 'rules', 'a.toml')} changed during this thread, and not through an amendment you accepted`,
      `${join(home, 'rules', 'b.toml')} was removed during this thread, and not through an amendment you accepted`,
    ]);
  });

  it('takes the amendments statecraft writes, but not a file someone changed before', async () => {
    const { home, baseline, load } = await scene({});
    const first = await appendAllowRule(home, ['npm', 'install']);
    baseline.accept(first.file, first.before, first.after);
    expect(await load()).toEqual({ rules: ['allow npm install'], errors: [] });

    await writeText(first.file, `${first.after}\n${allow('bash')}`);
    const second = await appendAllowRule(home, ['make']);
    baseline.accept(second.file, second.before, second.after);
    expect((await load()).rules).toEqual([]);
  });

  it('reports each problem once', async () => {
    const { home, baseline } = await scene({});
    await writeText(join(home, 'rules', 'x.toml'), allow('touch'));
    const reported = async () => (await loadRules({ home, projectRoot: null, projectTrusted: false, baseline })).errors.filter((e) => baseline.firstReport(e));
    expect(await reported()).toHaveLength(1);
    expect(await reported()).toHaveLength(0);
  });
});
