import { readShell } from '../parse/shell.js';
import { isDynamic, shownWord, type Stdin } from '../parse/types.js';
import { isAssignment, isRiskyVariable } from './flags.js';
import { programBasename } from './match.js';
import { dangerous, runs, safe, unknown, type Classification, type Nested } from './verdict.js';

/** Shells with their own syntax: the bash grammar cannot check their code. */
const FOREIGN_SHELLS = new Set(['fish', 'csh', 'tcsh', 'nu', 'pwsh', 'elvish', 'xonsh', 'rc']);

/** Interpreters that read a program from standard input when given none. */
const INTERPRETER = /^(python[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|php[\d.]*|lua[\d.]*|Rscript|tclsh|wish)$/;
/** Their options that take the program itself as a string, or name a module to run (`-c`, `-ne`, `-m`, `--eval`). */
const CODE_OPTION = /^(-[A-Za-z]*[cemEpr]|--eval|--print)$/;

const FROM_STDIN = new Set(['/dev/stdin', '/proc/self/fd/0', '/dev/fd/0', '-']);

const withStdin = (nested: Nested, stdin: Stdin | undefined): Nested => (stdin ? { ...nested, stdin } : nested);

/** What a shell does with code read from its input: a pipe cannot be checked, a literal here-document can. */
function stdinCode(name: string, stdin: Stdin | undefined): Classification {
  if (stdin?.kind === 'pipe') return dangerous(`${name} runs the commands it reads from a pipe, which cannot be checked`);
  if (stdin?.kind === 'text') {
    if (stdin.text === null) return dangerous(`${name} runs a here-document only known when the script runs`);
    return runs(`${name} runs the commands of its here-document`, { kind: 'script', script: stdin.text });
  }
  return unknown(`${name} reads commands from its input`);
}

function shell(argv: readonly string[], stdin: Stdin | undefined): Classification | null {
  const name = programBasename(argv[0]!);
  const run = readShell(argv);
  if (run === null) return null;
  switch (run.kind) {
    case 'script':
      if (isDynamic(run.script)) return dangerous(`${name} -c runs a script only known when it runs (${shownWord(run.script)})`);
      return runs(`${name} runs the script it is given`, withStdin({ kind: 'script', script: run.script }, stdin));
    case 'stdin':
      return stdinCode(name, stdin);
    case 'file':
      if (isDynamic(run.file)) return dangerous(`${name} runs a script only known when it runs (${shownWord(run.file)})`);
      if (FROM_STDIN.has(run.file)) return stdinCode(name, stdin);
      return unknown(`${name} runs the script ${run.file}`);
    case 'unreadable':
      return dangerous(`cannot tell what it runs: ${run.why}`);
  }
}

function foreignShell(name: string, args: readonly string[], stdin: Stdin | undefined): Classification {
  if (args.some((a) => a === '-c' || a === '--command' || /^-[a-z]*c$/.test(a))) return dangerous(`${name} runs code the bash grammar cannot check`);
  if (stdin?.kind === 'pipe' || args.length === 0)
    return stdin?.kind === 'pipe' ? dangerous(`${name} runs the commands it reads from a pipe`) : unknown(`${name} reads commands from its input`);
  return unknown(`${name} runs a script`);
}

function interpreter(name: string, args: readonly string[], stdin: Stdin | undefined): Classification {
  const at = args.findIndex((a) => !a.startsWith('-') || a === '-' || CODE_OPTION.test(a));
  const program = at < 0 ? undefined : args[at];
  // The program itself (a file, or the code after -c / -e) only known at run time: `python3 <(curl x)`.
  const code = program !== undefined && CODE_OPTION.test(program) ? args[at + 1] : program;
  if (code !== undefined && isDynamic(code)) return dangerous(`${name} runs a program only known when the script runs (${shownWord(code)})`);
  const readsStdin = program === undefined || program === '-';
  if (readsStdin && stdin?.kind === 'pipe') return dangerous(`${name} runs the program it reads from a pipe, which cannot be checked`);
  if (readsStdin && stdin?.kind === 'text') return unknown(`${name} runs the program in its here-document`);
  return unknown(`${name} runs a program`);
}

/** `eval WORDS...`: the words joined are shell code. */
function evaluate(args: readonly string[], stdin: Stdin | undefined): Classification {
  if (args.length === 0) return safe('eval of nothing');
  if (args.some(isDynamic)) return dangerous(`eval runs code only known when the script runs (${args.map(shownWord).join(' ')})`);
  return runs('eval runs its arguments as shell code', withStdin({ kind: 'script', script: args.join(' ') }, stdin));
}

/** `source FILE` / `. FILE`: the commands in a file, unseen here. */
function source(name: string, args: readonly string[], stdin: Stdin | undefined): Classification {
  const file = args.find((a) => a !== '--');
  if (file === undefined) return unknown(`${name} without a file`);
  if (isDynamic(file)) return dangerous(`${name} runs a file only known when the script runs (${shownWord(file)})`);
  if (FROM_STDIN.has(file)) return stdinCode(name, stdin);
  return unknown(`${name} runs the commands in ${file}`);
}

/** `trap ACTION SIGNALS...`: the action is shell code run later in the same shell. */
function trap(args: readonly string[]): Classification {
  const rest = args[0] === '--' ? args.slice(1) : args;
  const [action] = rest;
  if (action === undefined || action === '-' || action === '' || /^-[lp]+$/.test(action)) return safe('trap only lists or resets handlers');
  if (isDynamic(action)) return dangerous(`trap sets a handler only known when the script runs (${shownWord(action)})`);
  return runs('trap runs its handler when the signal comes', { kind: 'script', script: action });
}

/** `alias NAME=VALUE...`: each value is shell code a later command name may run. */
function alias(args: readonly string[]): Classification {
  const definitions = args.filter(isAssignmentLike);
  if (definitions.some(isDynamic)) return dangerous('alias defines code only known when the script runs');
  if (definitions.length === 0) return safe('alias only lists aliases');
  return runs('alias defines code that later commands may run', ...definitions.map((d) => ({ kind: 'script' as const, script: d.slice(d.indexOf('=') + 1) })));
}

const isAssignmentLike = (word: string) => /^[^=\s/]+=/.test(word);

/** `export`, `declare`, `local`, ...: harmless unless they set a variable that changes what later commands run. */
const DECLARATIONS = new Set(['export', 'declare', 'typeset', 'local', 'readonly', 'unset']);

/**
 * What the heuristics say about a command that runs code it is given as text (shells, eval,
 * source, trap, alias, interpreters, schedulers), or null for other commands.
 */
export function classifyCodeRunner(argv: readonly string[], stdin: Stdin | undefined): Classification | null {
  const name = programBasename(argv[0]!);
  const args = argv.slice(1);
  const asShell = shell(argv, stdin);
  if (asShell) return asShell;
  if (FOREIGN_SHELLS.has(name)) return foreignShell(name, args, stdin);
  if (INTERPRETER.test(name)) return interpreter(name, args, stdin);
  switch (name) {
    case 'eval':
      return evaluate(args, stdin);
    case 'source':
    case '.':
      return source(name, args, stdin);
    case 'trap':
      return trap(args);
    case 'alias':
      return alias(args);
    case 'at':
    case 'batch':
      return dangerous(`${name} schedules commands to run later, outside this session`);
    case 'crontab':
      return args.length === 1 && args[0] === '-l'
        ? safe('crontab -l only lists')
        : dangerous('crontab installs commands that run later, outside this session');
    default:
      if (!DECLARATIONS.has(name)) return null;
      {
        const setting = args.find((a) => isAssignment(a) && isRiskyVariable(a));
        return setting
          ? dangerous(`setting ${setting.slice(0, setting.indexOf('='))} changes what later commands load or run`)
          : safe(`${name} only sets shell variables`);
      }
  }
}
