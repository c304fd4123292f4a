import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, parseRuleFile, splitShellWords } from '../../../../actors/policy/rules/index.js';
import { tempDir, writeText } from './helpers.js';

const GOOD = `
[[rule]]
pattern = ["git", ["status", "log"]]
decision = "allow"
justification = "read-only"
match = ["git status", ["git", "log", "-p"], "/usr/bin/git status --short"]
not_match = ["git push", "gitk status"]

[[rule]]
pattern = ["rm"]
decision = "forbidden"
justification = "use trash instead"
`;

describe('rule files', () => {
  it('loads a good file with source and index on every rule', () => {
    const result = parseRuleFile('/h/rules/a.toml', GOOD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rules).toEqual([
      { pattern: ['git', ['status', 'log']], decision: 'allow', justification: 'read-only', file: '/h/rules/a.toml', index: 1 },
      { pattern: ['rm'], decision: 'forbidden', justification: 'use trash instead', file: '/h/rules/a.toml', index: 2 },
    ]);
  });

  it('accepts an empty file', () => {
    expect(parseRuleFile('e.toml', '# nothing yet\n')).toEqual({ ok: true, rules: [] });
  });

  it('reports TOML syntax errors with line and column', () => {
    const result = parseRuleFile('/h/rules/bad.toml', '[[rule]]\npattern = ["ls"\ndecision = "allow"\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.file).toBe('/h/rules/bad.toml');
    expect(result.error.line).toBeGreaterThan(0);
    expect(result.error.column).toBeGreaterThan(0);
    expect(result.error.message).toMatch(new RegExp(`^/h/rules/bad.toml:${result.error.line}:${result.error.column}: invalid TOML`));
    expect(result.error.fix).toMatch(/line \d+, column \d+/);
  });

  it('reports values of the wrong type with the key', () => {
    const wrongDecision = parseRuleFile('w.toml', '[[rule]]\npattern = ["ls"]\ndecision = "yes"\n');
    expect(wrongDecision.ok || wrongDecision.error.message).toMatch(/^w\.toml: rule\[1\]\.decision: /);
    if (!wrongDecision.ok) expect(wrongDecision.error.fix).toMatch(/"allow", "prompt" or "forbidden"/);

    const wrongPattern = parseRuleFile('w.toml', '[[rule]]\npattern = ["ls", 3]\ndecision = "allow"\n');
    expect(wrongPattern.ok || wrongPattern.error.message).toMatch(/^w\.toml: rule\[1\]\.pattern\[2\]: /);

    const emptyPattern = parseRuleFile('w.toml', '[[rule]]\npattern = []\ndecision = "allow"\n');
    expect(emptyPattern.ok).toBe(false);

    const notArray = parseRuleFile('w.toml', 'rule = "x"\n');
    expect(notArray.ok || notArray.error.message).toMatch(/^w\.toml: rule: /);
  });

  it('rejects unknown keys, in a rule and at the top level', () => {
    const typo = parseRuleFile('t.toml', '[[rule]]\npattern = ["ls"]\ndecision = "allow"\njustfication = "x"\n');
    expect(typo.ok || typo.error.message).toBe('t.toml: unknown key "justfication" in rule[1]');
    const top = parseRuleFile('t.toml', '[[rules]]\npattern = ["ls"]\ndecision = "allow"\n');
    expect(top.ok || top.error.message).toBe('t.toml: unknown key "rules" at the top level');
  });

  it('rejects a file whose match example fails, naming file, rule, pattern and example', () => {
    const text = GOOD + '\n[[rule]]\npattern = ["npm", "test"]\ndecision = "allow"\nmatch = ["npm run test"]\n';
    const result = parseRuleFile('/h/rules/m.toml', text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('/h/rules/m.toml: rule 3 (pattern "npm" "test"): match example "npm run test" does not match the pattern');
  });

  it('rejects a file whose not_match example matches', () => {
    const text = '[[rule]]\npattern = ["git", ["push", "pull"]]\ndecision = "prompt"\nnot_match = [["git", "pull", "--rebase"]]\n';
    const result = parseRuleFile('n.toml', text);
    expect(result.ok || result.error.message).toBe(
      'n.toml: rule 1 (pattern "git" ["push"|"pull"]): not_match example ["git","pull","--rebase"] matches the pattern',
    );
  });

  it('rejects an example with an unterminated quote', () => {
    const result = parseRuleFile('q.toml', '[[rule]]\npattern = ["ls"]\ndecision = "allow"\nmatch = ["ls \'a"]\n');
    expect(result.ok || result.error.message).toMatch(/^q\.toml: rule 1 \(pattern "ls"\): match example .* cannot be split/);
  });
});

describe('splitShellWords', () => {
  it('handles quotes and escapes', () => {
    expect(splitShellWords(`git commit -m "a \\"b\\" c" 'd e' f\\ g`)).toEqual(['git', 'commit', '-m', 'a "b" c', 'd e', 'f g']);
    expect(splitShellWords('  ls   -la  ')).toEqual(['ls', '-la']);
    expect(splitShellWords(`echo ''`)).toEqual(['echo', '']);
    expect(() => splitShellWords('echo "x')).toThrow(/unterminated/);
    // backslash-newline joins lines, inside double quotes too
    expect(splitShellWords('echo a\\\nb "c\\\nd"')).toEqual(['echo', 'ab', 'cd']);
  });
});

describe('loadRules', () => {
  it('loads files in name order, ignores a bad file entirely and keeps the good ones', async () => {
    const home = await tempDir();
    await writeText(join(home, 'rules', 'b.toml'), '[[rule]]\npattern = ["ls"]\ndecision = "allow"\n');
    await writeText(join(home, 'rules', 'a.toml'), '[[rule]]\npattern = ["cat"]\ndecision = "allow"\n');
    // The first rule of this file is fine, the second fails its example: neither loads.
    await writeText(
      join(home, 'rules', 'c.toml'),
      '[[rule]]\npattern = ["pwd"]\ndecision = "allow"\n[[rule]]\npattern = ["echo"]\ndecision = "allow"\nmatch = ["printf x"]\n',
    );
    await writeText(join(home, 'rules', 'notes.txt'), 'not a rule file');
    const { rules, errors } = await loadRules({ home, projectRoot: null, projectTrusted: false });
    expect(rules.map((r) => [r.pattern[0], r.file.endsWith('a.toml') ? 'a' : 'b', r.index])).toEqual([
      ['cat', 'a', 1],
      ['ls', 'b', 1],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.file).toBe(join(home, 'rules', 'c.toml'));
    expect(errors[0]!.message).toContain('rule 2 (pattern "echo")');
  });

  it('reads project rules only for a trusted project, after the user rules', async () => {
    const home = await tempDir();
    const project = await tempDir();
    await writeText(join(home, 'rules', 'z.toml'), '[[rule]]\npattern = ["ls"]\ndecision = "allow"\n');
    await writeText(join(project, '.statecraft', 'rules', 'a.toml'), '[[rule]]\npattern = ["make"]\ndecision = "allow"\n');
    const untrusted = await loadRules({ home, projectRoot: project, projectTrusted: false });
    expect(untrusted.rules.map((r) => r.pattern)).toEqual([['ls']]);
    const trusted = await loadRules({ home, projectRoot: project, projectTrusted: true });
    expect(trusted.rules.map((r) => r.pattern)).toEqual([['ls'], ['make']]);
    expect(trusted.rules[1]!.file).toBe(join(project, '.statecraft', 'rules', 'a.toml'));
  });

  it('is empty when there are no rules folders', async () => {
    const home = await tempDir();
    expect(await loadRules({ home, projectRoot: home, projectTrusted: true })).toEqual({ rules: [], errors: [] });
  });
});
