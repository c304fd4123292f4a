/**
 * Real bash parsing (tree-sitter) for command policy and summaries.
 *
 * Decisions:
 * - Redirections: descriptor duplication/closing (`2>&1`, `>&2`, `2>&-`) and output sent to
 *   `/dev/null` (`>`, `>>`, `&>`, `2>` ...) are harmless and keep a script plain; they stay in
 *   the command's `text` but not in its `argv`. Any other file, read or written, is complex.
 * - Globs (`*`, `?`, `[...]`) and a leading `~` stay plain and are kept literally in argv: the
 *   shell expands them, but the command word is fixed. Brace expansion (`{a,b}`) is complex.
 * - Any `$` expansion, substitution, grouping, control flow, assignment, background job,
 *   `eval`, or parse error makes a script complex.
 * - A shell wrapper (`bash -lc '...'`) is unwrapped by parseCommand only when it is the whole
 *   script; inside a longer script it stays a plain `bash` command for callers to judge.
 */
export { loadBashParser } from './loader.js';
export { parseCommand, unwrapShell } from './shell.js';
export { commandActionsFor } from './actions.js';
export { actionOfCommand } from './classify.js';
export type { BashParser, Operator, ParsedScript, SimpleCommand } from './types.js';
