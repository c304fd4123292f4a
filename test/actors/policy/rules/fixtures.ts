import type { Rule } from '../../../../actors/policy/rules/index.js';

const rule = (index: number, pattern: Rule['pattern'], decision: Rule['decision'], justification: string | null = null): Rule => ({
  pattern,
  decision,
  justification,
  file: '/home/u/.statecraft/rules/test.toml',
  index,
});

/** The rules the decision table runs with. */
export const RULES: Rule[] = [
  rule(1, ['apple'], 'allow'),
  rule(2, [['npm', 'pnpm'], 'test'], 'allow'),
  rule(3, ['git', 'push'], 'prompt', 'pushing publishes work'),
  rule(4, ['git', 'rebase'], 'forbidden', 'use git merge in this repo'),
  rule(5, ['cargo', 'build'], 'allow'),
];
