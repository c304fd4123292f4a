/**
 * Marks a word whose value is only known when the script runs (it holds an expansion or a
 * substitution, or is a command name with a glob). No real argument can contain U+0000, so
 * a marked word never equals a literal, and rule patterns never match it.
 */
export const DYNAMIC = '\u0000';

/** Whether a word (or, for `NAME=value`, its value) is only known at run time. */
export const isDynamic = (word: string): boolean => word.includes(DYNAMIC);

/** A word as the user wrote it, for messages. */
export const shownWord = (word: string): string => word.replaceAll(DYNAMIC, '');

/**
 * Where a command's standard input comes from, when that can decide what it runs: a pipe
 * (or a process substitution), or the text of a here-document or here-string (null when the
 * text holds expansions and is only known at run time).
 */
export type Stdin = { kind: 'pipe' } | { kind: 'text'; text: string | null };

/** One command of a script: its words after quote removal, and where it came from. */
export interface SimpleCommand {
  /**
   * The command name and its arguments, quotes resolved (`a"b"'c'` is `abc`). Leading
   * `NAME=value` assignments are kept as words. A word only known at run time is its
   * source text after a DYNAMIC mark (after `NAME=` for an assignment).
   */
  argv: string[];
  /** The command's own source text, including any redirection written with it. */
  text: string;
  /** Set when its standard input is a pipe or an inline text (see Stdin). */
  stdin?: Stdin;
  /** Files its redirections write, as written (DYNAMIC-marked when only known at run time). */
  writes?: string[];
}

/** How two neighbouring commands are joined; a newline counts as `;`. */
export type Operator = '&&' | '||' | ';' | '|';

/**
 * A script we can reason about word by word (`plain`: a list of simple commands with static
 * words), or one with more structure (`complex`, with the reasons found). Either way
 * `commands` holds every simple command the script can run, wherever it sits: inside
 * substitutions, subshells, bodies of loops and functions, here-documents. `unresolved`
 * lists parts that cannot be read at all (parse errors).
 * In a plain script, `operators[i]` sits between `commands[i]` and `commands[i + 1]`.
 */
export type ParsedScript =
  { kind: 'plain'; commands: SimpleCommand[]; operators: Operator[] } | { kind: 'complex'; reasons: string[]; commands: SimpleCommand[]; unresolved: string[] };

/** A loaded bash grammar; parsing is synchronous once loaded. */
export interface BashParser {
  parse(script: string): ParsedScript;
}
