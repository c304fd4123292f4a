import { splitShellWords } from '../policy/index.js';

const PATCH_COMMANDS = new Set(['apply_patch', 'applypatch']);
const SHELLS = new Set(['bash', 'sh', 'zsh']);
/** `apply_patch <<'EOF'`, `<<"EOF"`, `<<EOF` or `<<-EOF` on the first line of a script. */
const HEREDOC_START = /^(?:apply_patch|applypatch)\s*<<-?\s*(?:'([A-Za-z_][\w-]*)'|"([A-Za-z_][\w-]*)"|([A-Za-z_][\w-]*))\s*$/;

/**
 * Reads `apply_patch <<'TAG'\n...\nTAG` and returns the heredoc body (with a trailing
 * newline), or null when the script is not exactly that: the terminator must be present and
 * only whitespace may follow it.
 */
function heredocBody(script: string): string | null {
  const lines = script.replace(/^\s+/, '').split(/\r?\n/);
  const start = HEREDOC_START.exec(lines[0]!.trim());
  if (!start) return null;
  const tag = start[1] ?? start[2] ?? start[3];
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === tag);
  if (end < 0) return null;
  if (lines.slice(end + 1).some((line) => line.trim() !== '')) return null;
  const body = lines.slice(1, end);
  return body.length === 0 ? '' : `${body.join('\n')}\n`;
}

/** The command's words, or null when it does not split (an unterminated quote): then it is no patch command. */
function wordsOf(cmd: string): string[] | null {
  try {
    return splitShellWords(cmd);
  } catch {
    return null;
  }
}

function isShell(word: string): boolean {
  const base = word.slice(word.lastIndexOf('/') + 1);
  return SHELLS.has(base);
}

/** `-c`, `-lc`, `-cl`, or `-l` followed by `-c`: the flags a shell takes before its script. */
function shellScript(argv: string[]): string | null {
  let sawC = false;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (/^-[a-z]+$/.test(word)) {
      if (word.includes('c')) sawC = true;
      continue;
    }
    return sawC && i === argv.length - 1 ? word : null;
  }
  return null;
}

/** A patch found in a shell call, and the directory a leading `cd DIR &&` moved it to (relative to the call's own). */
export interface PatchInvocation {
  patch: string;
  cd: string | null;
}

/** `cd DIR && ` before the patch command; DIR plain or quoted, without expansions. */
const CD_PREFIX = /^\s*cd\s+(?:'([^']+)'|"([^"$`\\]+)"|([^\s;&|'"$`\\]+))\s*&&\s*/;

function fromArgv(argv: string[], depth: number): PatchInvocation | null {
  if (argv.length === 0 || depth > 2) return null;
  const head = argv[0]!;
  if (PATCH_COMMANDS.has(head) && argv.length === 2) return { patch: argv[1]!, cd: null };
  if (argv.length === 1) return fromString(head, depth + 1);
  if (isShell(head)) {
    const script = shellScript(argv);
    return script === null ? null : fromString(script, depth + 1);
  }
  return null;
}

function fromString(cmd: string, depth: number): PatchInvocation | null {
  const cd = CD_PREFIX.exec(cmd);
  if (cd) {
    const inner = fromString(cmd.slice(cd[0].length), depth + 1);
    const dir = cd[1] ?? cd[2] ?? cd[3]!;
    return inner === null ? null : { patch: inner.patch, cd: inner.cd === null ? dir : `${dir}/${inner.cd}` };
  }
  const body = heredocBody(cmd);
  if (body !== null) return { patch: body, cd: null };
  const words = wordsOf(cmd.trim());
  if (words === null || (words.length === 1 && words[0] === cmd.trim())) return null;
  return fromArgv(words, depth);
}

/**
 * Recognises a shell call that is really an apply_patch invocation: `apply_patch <<'EOF' ... EOF`
 * (any heredoc quoting), optionally after `cd DIR &&`, also inside `bash -lc "..."`, and the argv
 * forms `['apply_patch', PATCH]` and `['bash', '-lc', 'apply_patch <<...']`. Null for anything else.
 */
export function extractPatchInvocation(cmd: string | string[]): PatchInvocation | null {
  return typeof cmd === 'string' ? fromString(cmd, 0) : fromArgv(cmd, 0);
}

/** The patch text of a shell call that is really an apply_patch invocation (see extractPatchInvocation), or null. */
export function extractPatchFromCommand(cmd: string | string[]): string | null {
  return extractPatchInvocation(cmd)?.patch ?? null;
}
