/**
 * Shapes shared by the rule files, the heuristics and the evaluation. `ParsedScript` is a
 * structural copy of what the bash parser (actors/policy/parse) produces, kept here so
 * this folder does not depend on the parser's module.
 */

export type ShellOperator = '&&' | '||' | ';' | '|';

/** One simple command of a script: its words after quote removal, and its source text. */
export interface ScriptCommand {
  argv: string[];
  text: string;
}

/**
 * A script the parser understood as a flat list of simple commands joined by operators
 * (`operators[i]` sits between `commands[i]` and `commands[i + 1]`), or one it could not
 * reduce that far (substitutions, redirections to odd places, functions, ...).
 */
export type ParsedScript =
  | { kind: 'plain'; commands: ScriptCommand[]; operators: ShellOperator[] }
  | { kind: 'complex'; reasons: string[] };

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

/** A rule file that could not be used; none of its rules were loaded. */
export interface RuleFileError {
  file: string;
  /** What is wrong, starting with the file (and the rule) at fault. */
  message: string;
  /** How the user can fix it. */
  fix: string;
  /** Where in the file, for TOML syntax errors (1-based). */
  line: number | null;
  column: number | null;
}

/** What the heuristics think of a command no rule speaks about. */
export type HeuristicLevel = 'safe' | 'dangerous' | 'unknown';
