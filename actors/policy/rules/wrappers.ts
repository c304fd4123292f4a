import { isAssignment, isRiskyVariable } from './flags.js';
import { programBasename } from './match.js';

/**
 * What a wrapper command (env, nice, timeout, ...) runs: the wrapped argv, nothing at all
 * (the wrapper alone is harmless, e.g. bare `env`), or a reason it cannot be read.
 */
export type Unwrapped =
  | { kind: 'wrapped'; argv: string[] }
  | { kind: 'alone' }
  | { kind: 'opaque'; why: string }
  | { kind: 'not-a-wrapper' };

const WRAPPERS = new Set(['env', 'nice', 'timeout', 'nohup', 'time', 'command', 'exec', 'stdbuf']);

export function isWrapper(program: string): boolean {
  return WRAPPERS.has(programBasename(program));
}

function rest(args: readonly string[], i: number): Unwrapped {
  return i >= args.length ? { kind: 'alone' } : { kind: 'wrapped', argv: args.slice(i) };
}

function unwrapEnv(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return rest(args, i + 1);
    if (['-i', '--ignore-environment', '-0', '--null', '-v', '--debug', '-'].includes(a)) i += 1;
    else if (['-u', '--unset', '-C', '--chdir'].includes(a)) i += 2;
    else if (a.startsWith('--unset=') || a.startsWith('--chdir=') || /^-[uC]./.test(a)) i += 1;
    else if (a.startsWith('-S') || a.startsWith('--split-string')) return { kind: 'opaque', why: 'env -S builds a command from a string' };
    else if (a.startsWith('-')) return { kind: 'opaque', why: `env option ${a} is not understood` };
    else if (isAssignment(a)) {
      if (isRiskyVariable(a)) return { kind: 'opaque', why: `setting ${a.slice(0, a.indexOf('='))} changes what the program loads or runs` };
      i += 1;
    } else break;
  }
  return rest(args, i);
}

function unwrapNice(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return rest(args, i + 1);
    if (a === '-n' || a === '--adjustment') i += 2;
    else if (/^-n-?\d+$/.test(a) || /^--adjustment=/.test(a) || /^-\d+$/.test(a)) i += 1;
    else if (a.startsWith('-')) return { kind: 'opaque', why: `nice option ${a} is not understood` };
    else break;
  }
  return rest(args, i);
}

function unwrapTimeout(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (['--preserve-status', '--foreground', '-v', '--verbose'].includes(a)) i += 1;
    else if (['-s', '--signal', '-k', '--kill-after'].includes(a)) i += 2;
    else if (/^-[sk]./.test(a) || a.startsWith('--signal=') || a.startsWith('--kill-after=')) i += 1;
    else if (a.startsWith('-')) return { kind: 'opaque', why: `timeout option ${a} is not understood` };
    else break;
  }
  // The duration comes next, then the command.
  if (i >= args.length) return { kind: 'opaque', why: 'timeout needs a duration and a command' };
  return i + 1 >= args.length ? { kind: 'opaque', why: 'timeout without a command' } : { kind: 'wrapped', argv: args.slice(i + 1) };
}

function unwrapTime(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return rest(args, i + 1);
    if (['-p', '--portability', '-v', '--verbose', '-q', '--quiet'].includes(a)) i += 1;
    else if (a.startsWith('-')) return { kind: 'opaque', why: `time option ${a} is not understood (-o writes a file)` };
    else break;
  }
  return rest(args, i);
}

function unwrapCommand(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return rest(args, i + 1);
    if (a === '-p') i += 1;
    else if (a === '-v' || a === '-V') return { kind: 'alone' }; // only looks the name up
    else if (a.startsWith('-')) return { kind: 'opaque', why: `command option ${a} is not understood` };
    else break;
  }
  return rest(args, i);
}

function unwrapExec(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return rest(args, i + 1);
    if (a === '-a') i += 2;
    else if (/^-[cl]+$/.test(a)) i += 1;
    else if (a.startsWith('-')) return { kind: 'opaque', why: `exec option ${a} is not understood` };
    else break;
  }
  return rest(args, i);
}

function unwrapStdbuf(args: readonly string[]): Unwrapped {
  let i = 1;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return rest(args, i + 1);
    if (['-i', '-o', '-e', '--input', '--output', '--error'].includes(a)) i += 2;
    else if (/^-[ioe]./.test(a) || /^--(input|output|error)=/.test(a)) i += 1;
    else if (a.startsWith('-')) return { kind: 'opaque', why: `stdbuf option ${a} is not understood` };
    else break;
  }
  return i >= args.length ? { kind: 'opaque', why: 'stdbuf without a command' } : rest(args, i);
}

/** Reads one wrapper layer; leading `NAME=value` words count as an `env` layer. */
export function unwrapOnce(argv: readonly string[]): Unwrapped {
  if (argv.length === 0) return { kind: 'not-a-wrapper' };
  if (isAssignment(argv[0]!)) return unwrapEnv(['env', ...argv]);
  switch (programBasename(argv[0]!)) {
    case 'env':
      return unwrapEnv(argv);
    case 'nice':
      return unwrapNice(argv);
    case 'timeout':
      return unwrapTimeout(argv);
    case 'nohup':
      return rest(argv, argv[1] === '--' ? 2 : 1);
    case 'time':
      return unwrapTime(argv);
    case 'command':
      return unwrapCommand(argv);
    case 'exec':
      return unwrapExec(argv);
    case 'stdbuf':
      return unwrapStdbuf(argv);
    default:
      return { kind: 'not-a-wrapper' };
  }
}

/**
 * Peels all wrapper layers off a command. Returns the innermost argv, `alone` when a
 * wrapper runs nothing, or `opaque` when a layer cannot be read.
 */
export function unwrapAll(argv: readonly string[]): Unwrapped & { kind: 'wrapped' | 'alone' | 'opaque' } {
  let current = [...argv];
  for (let depth = 0; depth < 16; depth += 1) {
    const step = unwrapOnce(current);
    if (step.kind === 'not-a-wrapper') return { kind: 'wrapped', argv: current };
    if (step.kind !== 'wrapped') return step;
    current = step.argv;
  }
  return { kind: 'opaque', why: 'too many nested wrappers' };
}
