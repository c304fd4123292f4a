import { mkdir, symlink } from 'node:fs/promises';
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

describe('a broken rule file makes the policy stricter, never looser', () => {
  const salvage = (text: string) => {
    const result = parseRuleFile('/h/rules/x.toml', text);
    if (result.ok) throw new Error('expected a broken file');
    return { rules: result.salvaged.map((r) => [r.pattern, r.decision, r.index]), lost: result.error.lost, effect: result.error.effect };
  };

  it('keeps the forbidden and prompt rules of the blocks that still parse, after a syntax error elsewhere', () => {
    const text =
      '[[rule]]\npattern = ["rm"]\ndecision = "forbidden"\n\n[[rule]]\npattern = ["ls"\ndecision = "allow"\n\n[[rule]]\npattern = ["git", "push"]\ndecision = "prompt"\n';
    expect(salvage(text)).toEqual({
      rules: [
        [['rm'], 'forbidden', 1],
        [['git', 'push'], 'prompt', 3],
      ],
      lost: false,
      effect: 'until it is fixed, its 2 forbidden and prompt rules that can be read still apply; its allow rules do not apply',
    });
  });

  it('counts a rule whose decision cannot be read as prompt, and drops allow rules', () => {
    expect(salvage('[[rule]]\npattern = ["ls"]\ndecision = "alow"\n[[rule]]\npattern = ["cat"]\ndecision = "allow"\n').rules).toEqual([[['ls'], 'prompt', 1]]);
    expect(salvage('[[rule]]\npattern = ["ls"]\ndecision = "forbidden"\njustfication = "typo"\n').rules).toEqual([[['ls'], 'forbidden', 1]]);
    expect(salvage('[[rules]]\npattern = ["rm"]\ndecision = "forbidden"\n').rules).toEqual([[['rm'], 'forbidden', 1]]);
    expect(salvage('[[rule]]\npattern = ["rm"]\ndecision = "forbidden"\nmatch = ["ls"]\n').rules).toEqual([[['rm'], 'forbidden', 1]]);
  });

  it('says when a rule is lost: its pattern cannot be read and it does not plainly allow', () => {
    const lost = salvage('[[rule]]\npattern = ["rm", \ndecision = "forbidden"\n');
    expect(lost).toMatchObject({ rules: [], lost: true });
    expect(lost.effect).toMatch(/every command not known to be read-only is asked about/);
    expect(salvage('[[rule]\npattern = ["rm"]\ndecision = "forbidden"\n').lost).toBe(true);
    expect(salvage('[[rule]]\npattern = 3\ndecision = "prompt"\n').lost).toBe(true);
    expect(salvage('[[rule]]\npattern = ["ls" "-l"]\ndecision = "allow"\n')).toMatchObject({ rules: [], lost: false });
  });

  it('treats a file that cannot be read as lost', async () => {
    const home = await tempDir();
    await mkdir(join(home, 'rules'), { recursive: true });
    await symlink(join(home, 'nowhere.toml'), join(home, 'rules', 'dangling.toml'));
    const { errors } = await loadRules({ home, projectRoot: null, projectTrusted: false });
    expect(errors).toMatchObject([{ lost: true }]);
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
  it('loads files in name order, drops the allow rules of a bad file and keeps the good files', async () => {
    const home = await tempDir();
    await writeText(join(home, 'rules', 'b.toml'), '[[rule]]\npattern = ["ls"]\ndecision = "allow"\n');
    await writeText(join(home, 'rules', 'a.toml'), '[[rule]]\npattern = ["cat"]\ndecision = "allow"\n');
    // The first rule of this file is fine, the second fails its example: both allow, so neither loads.
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
