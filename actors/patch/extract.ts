import { splitShellWords } from './shell.words.js';

const PATCH_COMMANDS = new Set(['apply_patch', 'applypatch']);
const SHELLS = new Set(['bash', 'sh', 'zsh']);
/** `apply_patch <<'EOF'`, `<<"EOF"`, `<<EOF` or `<<-EOF` on the first line of a script. */
const HEREDOC_START = /^(?:apply_patch|applypatch)\s*<<-?\s*(?:'([A-Za-z_][\w-]*)'|"([A-Za-z_][\w-]*)"|([A-Za-z_][\w-]*))\s*$/;

/**
 * Reads `apply_patch <<'TAG'\n...\nTAG` and returns the heredoc body (with a trailing
 * newline), or null when the script is not exactly that: the terminator must be present and
 * only whitespace may follow it.
 */
export function heredocBody(script: string): string | null {
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

function fromArgv(argv: string[], depth: number): string | null {
  if (argv.length === 0 || depth > 2) return null;
  const head = argv[0]!;
  if (PATCH_COMMANDS.has(head) && argv.length === 2) return argv[1]!;
  if (argv.length === 1) return fromString(head, depth + 1);
  if (isShell(head)) {
    const script = shellScript(argv);
    return script === null ? null : fromString(script, depth + 1);
  }
  return null;
}

function fromString(cmd: string, depth: number): string | null {
  const body = heredocBody(cmd);
  if (body !== null) return body;
  const words = splitShellWords(cmd.trim());
  if (words === null || (words.length === 1 && words[0] === cmd.trim())) return null;
  return fromArgv(words, depth);
}

/**
 * Recognises a shell call that is really an apply_patch invocation and returns the patch text:
 * `apply_patch <<'EOF' ... EOF` (any heredoc quoting), `bash -lc "apply_patch <<'EOF' ... EOF"`,
 * and the argv forms `['apply_patch', PATCH]` and `['bash', '-lc', 'apply_patch <<...']`.
 * Returns null for anything else.
 */
export function extractPatchFromCommand(cmd: string | string[]): string | null {
  return typeof cmd === 'string' ? fromString(cmd, 0) : fromArgv(cmd, 0);
}
