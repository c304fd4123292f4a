import { posix } from 'node:path';
import { complex } from './script.js';
import type { BashParser, ParsedScript } from './types.js';

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);

/** Single-letter shell options accepted around `-c`: login, errexit, nounset, xtrace. */
const HARMLESS_FLAGS = 'lceux';
const LONG_FLAGS = new Set(['--login', '--noprofile', '--norc']);

/**
 * The script of `bash -lc SCRIPT`, `sh -c SCRIPT`, `/bin/zsh -l -c SCRIPT`, `bash --login -c
 * SCRIPT` and the like, or null for anything else. Extra words after the script (they would
 * become `$0`, `$1`...) or unfamiliar options make it null too.
 */
export function unwrapShell(argv: string[]): string | null {
  const [program, ...rest] = argv;
  if (program === undefined || !SHELLS.has(posix.basename(program))) return null;
  let sawC = false;
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i]!;
    if (LONG_FLAGS.has(arg)) continue;
    if (!/^-[a-z]+$/.test(arg)) break;
    for (const flag of arg.slice(1)) {
      if (!HARMLESS_FLAGS.includes(flag)) return null;
      if (flag === 'c') {
        if (sawC) return null;
        sawC = true;
      }
    }
  }
  if (!sawC || i !== rest.length - 1) return null;
  return rest[i]!;
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
    if (depth >= MAX_WRAPPERS) return complex(['shell wrappers nested too deeply']);
    parsed = parser.parse(script);
  }
  return parsed;
}

function fromArgv(argv: string[]): ParsedScript {
  if (argv.length === 0) return complex(['empty command']);
  if (argv[0] === 'eval') return complex(['eval of a string']);
  return { kind: 'plain', commands: [{ argv: [...argv], text: argv.map(quote).join(' ') }], operators: [] };
}

/** Shell quoting for display: bare when safe, else single quotes. */
export function quote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
