/**
 * Real bash parsing (tree-sitter) for command policy and summaries.
 *
 * Decisions:
 * - Every simple command the script can run is listed, wherever it sits: in substitutions
 *   (`$(...)`, backticks, `<(...)`), subshells, groups, bodies of if/for/while/case,
 *   function bodies, here-documents. The policy judges each one.
 * - A word that holds an expansion or a substitution is only known at run time: it is kept
 *   as written after a DYNAMIC mark, so no rule can match it and a command name like that
 *   is never taken for a known program. A glob in a command name counts as well.
 * - Redirections: descriptor duplication/closing (`2>&1`, `>&2`, `2>&-`) and output sent to
 *   `/dev/null` (`>`, `>>`, `&>`, `2>` ...) are harmless and keep a script plain; they stay in
 *   the command's `text` but not in its `argv`. Any other file, read or written, is complex,
 *   and the files written are listed on the command. Where input comes from matters when a
 *   shell or interpreter reads its program from it: a pipe, or a here-document's text.
 * - Globs (`*`, `?`, `[...]`) in arguments and a leading `~` stay plain and are kept
 *   literally in argv. Brace expansion (`{a,b}`) is complex.
 * - Any `$` expansion, substitution, grouping, control flow, assignment, background job,
 *   or parse error makes a script complex. Parts that cannot be read (parse errors) are
 *   listed as `unresolved`.
 * - A shell wrapper (`bash -lc '...'`) is unwrapped by parseCommand only when it is the whole
 *   script; inside a longer script the policy reads the wrapped script itself.
 */
export { loadBashParser } from './loader.js';
export { parseCommand, unwrapShell } from './shell.js';
export { commandActionsFor } from './actions.js';
export { isDynamic, shownWord } from './types.js';
export type { BashParser, ParsedScript } from './types.js';
