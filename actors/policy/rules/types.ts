/** Shapes shared by the rule files, the heuristics and the evaluation; scripts come from the bash parser. */
import type { Operator, ParsedScript, SimpleCommand } from '../parse/types.js';

export type { ParsedScript };
export type ShellOperator = Operator;
export type ScriptCommand = SimpleCommand;

/** One word of a pattern: a literal, or a list of literals any of which will do. */
export type PatternToken = string | string[];

export type RuleDecision = 'allow' | 'prompt' | 'forbidden';

/** A rule as loaded, remembering where it came from. */
export interface Rule {
  pattern: PatternToken[];
  decision: RuleDecision;
  justification: string | null;
  /** Absolute path of the file the rule was read from ('' for rules built in code). */
  file: string;
  /** Position of the rule among the file's `[[rule]]` entries, counting from 1. */
  index: number;
}

/**
 * A rule file that could not be used as it is. Until it is fixed it makes the policy
 * stricter, never looser: its allow rules are dropped, the forbidden and prompt rules that
 * can still be read apply, and a rule that cannot be read at all (`lost`) makes every
 * command not known to be read-only ask.
 */
export interface RuleFileError {
  file: string;
  /** What is wrong, starting with the file (and the rule) at fault. */
  message: string;
  /** How the user can fix it. */
  fix: string;
  /** What the file still does until it is fixed. */
  effect: string;
  /** Some of its rules could not be read at all. */
  lost: boolean;
  /** Where in the file, for TOML syntax errors (1-based). */
  line: number | null;
  column: number | null;
}

/** What the heuristics think of a command no rule speaks about. */
export type HeuristicLevel = 'safe' | 'dangerous' | 'unknown';
