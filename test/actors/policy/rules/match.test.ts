import { describe, expect, it } from 'vitest';
import { findRule, patternMatches, type Rule } from '../../../../actors/policy/rules/index.js';

const rule = (pattern: Rule['pattern'], decision: Rule['decision'], index = 1): Rule => ({ pattern, decision, justification: null, file: 'f.toml', index });

describe('pattern matching', () => {
  it('matches a prefix of the argv', () => {
    expect(patternMatches(['git', 'status'], ['git', 'status', '--short'])).toBe(true);
    expect(patternMatches(['git', 'status'], ['git'])).toBe(false);
    expect(patternMatches(['git', 'status'], ['git', 'stash'])).toBe(false);
    expect(patternMatches(['git'], ['gitk'])).toBe(false);
  });

  it('accepts any of the alternatives at a position', () => {
    const pattern = [
      ['npm', 'pnpm'],
      ['test', 'run'],
    ];
    expect(patternMatches(pattern, ['pnpm', 'run', 'build'])).toBe(true);
    expect(patternMatches(pattern, ['npm', 'test'])).toBe(true);
    expect(patternMatches(pattern, ['npm', 'install'])).toBe(false);
    expect(patternMatches(pattern, ['yarn', 'test'])).toBe(false);
  });

  it('matches the program by basename, but only the program', () => {
    expect(patternMatches(['git', 'status'], ['/usr/bin/git', 'status'])).toBe(true);
    expect(patternMatches([['cargo', 'git']], ['./bin/git'])).toBe(true);
    expect(patternMatches(['cat', 'x'], ['cat', './x'])).toBe(false);
    // A pattern naming a path only matches that path.
    expect(patternMatches(['/usr/bin/git'], ['/opt/git'])).toBe(false);
    expect(patternMatches(['/usr/bin/git'], ['/usr/bin/git', 'log'])).toBe(true);
  });

  it('picks the strictest matching rule', () => {
    const rules = [rule(['git'], 'allow', 1), rule(['git', 'push'], 'prompt', 2), rule(['git', 'push', '--force'], 'forbidden', 3)];
    expect(findRule(rules, ['git', 'log'])?.index).toBe(1);
    expect(findRule(rules, ['git', 'push'])?.index).toBe(2);
    expect(findRule(rules, ['git', 'push', '--force'])?.index).toBe(3);
    expect(findRule(rules, ['ls'])).toBeNull();
  });
});
