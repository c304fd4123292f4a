import { posix } from 'node:path';
import { complex } from './script.js';
import type { BashParser, ParsedScript } from './types.js';

/** Shells whose scripts the bash grammar reads well enough to judge. */
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash']);

/** Whether a program name is one of the shells above (by basename). */
const isPosixShell = (program: string): boolean => SHELLS.has(posix.basename(program));

/** Set options (`set -e` letters) a shell accepts on its command line, besides c, s and o. */
const SET_LETTERS = 'abefhikmnprtuvxlBCEHPTDGX';
/** Letters that keep a wrapped script what it says: login, errexit, nounset, xtrace. */
const HARMLESS_LETTERS = 'lceux';
const LONG_OPTIONS = new Set(['--login', '--noprofile', '--norc', '--posix', '--restricted', '--verbose', '--noediting', '--debugger', '--']);
const HARMLESS_LONG = new Set(['--login', '--noprofile', '--norc']);

/** What a shell invocation runs. */
export type ShellRun =
  /** `sh -c SCRIPT [NAME ARGS...]`; `harmless` when only login/errexit/nounset/xtrace options come with it. */
  | { kind: 'script'; script: string; extra: string[]; harmless: boolean }
  /** No script and no file (or -s): it reads commands from its standard input. */
  | { kind: 'stdin' }
  /** `sh FILE ...`: it runs the commands in a file. */
  | { kind: 'file'; file: string }
  | { kind: 'unreadable'; why: string };

/** Reads a shell's command line (argv[0] being a shell); null when it is not one. */
export function readShell(argv: readonly string[]): ShellRun | null {
  const [program, ...rest] = argv;
  if (program === undefined || !isPosixShell(program)) return null;
  const name = posix.basename(program);
  let command = false;
  let readsStdin = false;
  let harmless = true;
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--' || arg === '-') {
      i++;
      break;
    }
    if (arg.startsWith('--')) {
      if (!LONG_OPTIONS.has(arg)) return { kind: 'unreadable', why: `${name} option ${arg} is not understood` };
      harmless &&= HARMLESS_LONG.has(arg);
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(arg)) break;
    for (const letter of arg.slice(1)) {
      if (letter === 'c') {
        if (command) return { kind: 'unreadable', why: `${name} -c given twice` };
        command = true;
      } else if (letter === 'o' || letter === 'O') {
        // The option's name is the next word (`-o pipefail`, `-O extglob`).
        if (++i >= rest.length) return { kind: 'unreadable', why: `${name} -${letter} without a value` };
        harmless = false;
      } else if (letter === 's') {
        readsStdin = true;
        harmless = false;
      } else if (SET_LETTERS.includes(letter)) {
        harmless &&= HARMLESS_LETTERS.includes(letter) && arg.startsWith('-');
      } else return { kind: 'unreadable', why: `${name} option -${letter} is not understood` };
    }
  }
  const operands = rest.slice(i);
  if (command) {
    const [script, ...extra] = operands;
    if (script === undefined) return { kind: 'unreadable', why: `${name} -c without a script` };
    return { kind: 'script', script, extra, harmless };
  }
  if (readsStdin || operands.length === 0) return { kind: 'stdin' };
  return { kind: 'file', file: operands[0]! };
}

/**
 * The script of `bash -lc SCRIPT`, `sh -c SCRIPT`, `/bin/zsh -l -c SCRIPT`, `bash --login -c
 * SCRIPT` and the like, or null for anything else. Extra words after the script (they would
 * become `$0`, `$1`...) or other options make it null too: such a call is judged as a command.
 */
export function unwrapShell(argv: string[]): string | null {
  const run = readShell(argv);
  return run?.kind === 'script' && run.harmless && run.extra.length === 0 ? run.script : null;
}

/** How many shell wrappers inside each other we are willing to open. */
const MAX_WRAPPERS = 8;

/**
 * Parses a script, or an argv (one command, already split into words). When the result is a
 * single shell-wrapper command its script is parsed in turn, as many times as it nests.
 */
export function parseCommand(parser: BashParser, input: string | string[]): ParsedScript {
  let parsed = typeof input === 'string' ? parser.parse(input) : fromArgv(input);
  for (let depth = 0; parsed.kind === 'plain' && parsed.commands.length === 1; depth++) {
    const script = unwrapShell(parsed.commands[0]!.argv);
    if (script === null) break;
    if (depth >= MAX_WRAPPERS) return complex(['shell wrappers nested too deeply'], [], ['shell wrappers nested too deeply']);
    parsed = parser.parse(script);
  }
  return parsed;
}

function fromArgv(argv: string[]): ParsedScript {
  if (argv.length === 0) return complex(['empty command']);
  return { kind: 'plain', commands: [{ argv: [...argv], text: argv.map(quote).join(' ') }], operators: [] };
}

/** Shell quoting for display: bare when safe, else single quotes. */
export function quote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
