import { isDynamic } from '../parse/types.js';
import type { PatternToken, Rule, RuleDecision } from './types.js';

/** The last path segment of a program name: `/usr/bin/git` → `git`. */
export function programBasename(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash < 0 ? program : program.slice(slash + 1);
}

function tokenAccepts(token: PatternToken, word: string, isProgram: boolean): boolean {
  if (isDynamic(word)) return false; // only known when the script runs: no rule can vouch for it
  const choices = typeof token === 'string' ? [token] : token;
  const base = isProgram ? programBasename(word) : word;
  return choices.some((choice) => choice === word || (isProgram && !choice.includes('/') && choice === base));
}

/**
 * Whether a pattern matches a command: each token must match the word at its position,
 * so the pattern is a prefix of the argv. The first word also matches by its basename,
 * so a pattern starting with `git` covers `/usr/bin/git` (a pattern spelling a path
 * only matches that path).
 */
export function patternMatches(pattern: readonly PatternToken[], argv: readonly string[]): boolean {
  if (pattern.length === 0 || argv.length < pattern.length) return false;
  return pattern.every((token, i) => tokenAccepts(token, argv[i]!, i === 0));
}

const STRICTNESS: Record<RuleDecision, number> = { allow: 0, prompt: 1, forbidden: 2 };

/** Whether decision `a` is stricter than `b`. */
function stricterRuleDecision(a: RuleDecision, b: RuleDecision): boolean {
  return STRICTNESS[a] > STRICTNESS[b];
}

/**
 * The rule that decides a command: among all matching rules, the strictest one (the
 * first of equals, in load order). Null when no rule matches.
 */
export function findRule(rules: readonly Rule[], argv: readonly string[]): Rule | null {
  let best: Rule | null = null;
  for (const rule of rules) {
    if (!patternMatches(rule.pattern, argv)) continue;
    if (best === null || stricterRuleDecision(rule.decision, best.decision)) best = rule;
  }
  return best;
}

/** A pattern written out for messages: `git ["push"|"pull"]`. */
export function describePattern(pattern: readonly PatternToken[]): string {
  return pattern.map((token) => (typeof token === 'string' ? JSON.stringify(token) : `[${token.map((t) => JSON.stringify(t)).join('|')}]`)).join(' ');
}
