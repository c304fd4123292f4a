/** One command of a script: its words after quote removal, and where it came from. */
export interface SimpleCommand {
  /** The command name and its arguments, quotes resolved (`a"b"'c'` is `abc`). */
  argv: string[];
  /** The command's own source text, including any harmless redirection written with it. */
  text: string;
}

/** How two neighbouring commands are joined; a newline counts as `;`. */
export type Operator = '&&' | '||' | ';' | '|';

/**
 * A script we can reason about word by word (`plain`), or one whose behaviour depends on
 * things a static look cannot settle (`complex`, with the reasons found).
 * In a plain script, `operators[i]` sits between `commands[i]` and `commands[i + 1]`.
 */
export type ParsedScript =
  | { kind: 'plain'; commands: SimpleCommand[]; operators: Operator[] }
  | { kind: 'complex'; reasons: string[] };

/** A loaded bash grammar; parsing is synchronous once loaded. */
export interface BashParser {
  parse(script: string): ParsedScript;
}
