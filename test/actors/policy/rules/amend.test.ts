import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAllowRule, loadRules, type ParsedScript, type Rule } from '../../../../actors/policy/rules/index.js';
import { evaluate, plain, tempDir, writeText } from './helpers.js';

const decide = (parsed: ParsedScript, rules: Rule[]) => evaluate(parsed, { rules, approvalPolicy: 'untrusted' });

describe('appendAllowRule', () => {
  it('round trips: the proposed amendment, once stored, allows the same command next time', async () => {
    const home = await tempDir();
    const parsed = plain('npm install lodash');
    const before = decide(parsed, (await loadRules({ home, projectRoot: null, projectTrusted: false })).rules);
    expect(before.decision).toBe('ask');
    expect(before.proposedAmendment).toEqual(['npm', 'install']);

    const { file, before: was, after } = await appendAllowRule(home, before.proposedAmendment!);
    expect(file).toBe(join(home, 'rules', 'default.toml'));
    expect(was).toBeNull();
    expect(after).toBe(await readFile(file, 'utf8'));
    const loaded = await loadRules({ home, projectRoot: null, projectTrusted: false });
    expect(loaded.errors).toEqual([]);
    expect(loaded.rules).toEqual([{ pattern: ['npm', 'install'], decision: 'allow', justification: null, file, index: 1 }]);
    expect(decide(parsed, loaded.rules).decision).toBe('allow-unsandboxed');
    expect(await readFile(file, 'utf8')).toMatch(/^# statecraft exec policy rules\./);
  });

  it('appends without touching what is there, quotes odd words, and skips duplicates', async () => {
    const home = await tempDir();
    const file = await writeText(join(home, 'rules', 'default.toml'), '# my notes\n[[rule]]\npattern = ["ls"]\ndecision = "allow"');
    await appendAllowRule(home, ['./my tool', 'say "hi"\\n']);
    await appendAllowRule(home, ['./my tool', 'say "hi"\\n']);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# my notes\n[[rule]]\npattern = ["ls"]\ndecision = "allow"\n')).toBe(true);
    const { rules, errors } = await loadRules({ home, projectRoot: null, projectTrusted: false });
    expect(errors).toEqual([]);
    expect(rules.map((r) => r.pattern)).toEqual([['ls'], ['./my tool', 'say "hi"\\n']]);
  });

  it('refuses to add to an invalid file and leaves it alone', async () => {
    const home = await tempDir();
    const broken = '[[rule]]\npattern = "ls"\n';
    const file = await writeText(join(home, 'rules', 'default.toml'), broken);
    await expect(appendAllowRule(home, ['make'])).rejects.toThrow(/default\.toml/);
    expect(await readFile(file, 'utf8')).toBe(broken);
  });

  it('rejects an empty prefix', async () => {
    await expect(appendAllowRule(await tempDir(), [])).rejects.toThrow(/non-empty/);
  });
});
