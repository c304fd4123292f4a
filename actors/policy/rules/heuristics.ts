import { beforeDoubleDash, hasLongFlag, hasShortFlag, isShortCluster } from './flags.js';
import { classifyGit } from './git.heuristics.js';
import { programBasename } from './match.js';
import { dangerous, safe, unknown, type Classification } from './verdict.js';
import { unwrapAll } from './wrappers.js';

export type { Classification } from './verdict.js';

/** Programs that only read and print, whatever their arguments. */
const ALWAYS_SAFE = new Set([
  'ls', 'cat', 'head', 'tail', 'wc', 'pwd', 'echo', 'printf', 'grep', 'egrep', 'fgrep', 'nl', 'stat', 'which',
  'whoami', 'id', 'uname', 'true', 'false', 'cut', 'tr', 'diff', 'cmp', 'basename', 'dirname', 'realpath', 'du', 'df',
]);

/**
 * Safe programs that stay safe whatever words `xargs` appends to them (options
 * included). `rg`, `find`, `git`, `sort` ... are not: an appended `--pre=x`, `-delete`
 * or `-o file` would change what they do.
 */
const SAFE_UNDER_XARGS = new Set([
  'ls', 'cat', 'head', 'tail', 'wc', 'echo', 'grep', 'egrep', 'fgrep', 'nl', 'stat', 'basename', 'dirname', 'realpath',
  'du', 'cmp', 'diff', 'true', 'false',
]);

const ALWAYS_DANGEROUS: Record<string, string> = {
  sudo: 'sudo runs a command as another user (usually root)',
  su: 'su switches to another user',
  doas: 'doas runs a command as another user',
  pkexec: 'pkexec runs a command as another user',
  dd: 'dd writes raw data and can overwrite disks',
  fdisk: 'fdisk changes disk partitions',
  sfdisk: 'sfdisk changes disk partitions',
  cfdisk: 'cfdisk changes disk partitions',
  parted: 'parted changes disk partitions',
  shred: 'shred destroys file contents',
  wipefs: 'wipefs erases filesystem signatures',
  mkswap: 'mkswap formats a device',
  shutdown: 'shutdown stops the machine',
  reboot: 'reboot restarts the machine',
  halt: 'halt stops the machine',
  poweroff: 'poweroff stops the machine',
};

const SED_PRINT_RANGE = /^\s*(\d+|\$)(\s*,\s*(\d+|\$))?\s*p\s*$/;

function classifySed(args: readonly string[]): Classification {
  let quiet = false;
  const scripts: string[] = [];
  let sawFile = false;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '-n' || a === '--quiet' || a === '--silent') quiet = true;
    else if (a === '-e' || a === '--expression') {
      const script = args[i + 1];
      if (script === undefined) return unknown('sed -e without a script');
      scripts.push(script);
      i += 1;
    } else if (a.startsWith('-')) return unknown(`sed option ${a} may write files`);
    else if (scripts.length === 0 && !sawFile) scripts.push(a);
    else sawFile = true;
  }
  const printsOnly = scripts.length > 0 && scripts.every((s) => s.split(';').every((part) => SED_PRINT_RANGE.test(part)));
  return quiet && printsOnly ? safe('sed -n only prints line ranges') : unknown('sed with this script may change files');
}

function classifyFind(args: readonly string[]): Classification {
  if (args.includes('-delete')) return dangerous('find -delete removes every file it matches');
  const execAt = args.findIndex((a) => ['-exec', '-execdir', '-ok', '-okdir'].includes(a));
  if (execAt >= 0) {
    for (let i = execAt; i < args.length; i += 1) {
      if (!['-exec', '-execdir', '-ok', '-okdir'].includes(args[i]!)) continue;
      let end = i + 1;
      while (end < args.length && args[end] !== ';' && args[end] !== '+') end += 1;
      const inner = classifyCommand(args.slice(i + 1, end).filter((w) => w !== '{}'));
      if (inner.level === 'dangerous') return dangerous(`find ${args[i]} runs a dangerous command: ${inner.why}`);
    }
    return unknown(`find ${args[execAt]} runs another command for each file`);
  }
  if (args.some((a) => ['-fprint', '-fprint0', '-fprintf', '-fls'].includes(a))) return unknown('find -fprint/-fls writes files');
  return safe('find without actions only lists files');
}

const XARGS_VALUE_FLAGS = new Set(['-I', '-L', '-n', '-P', '-s', '-d', '-E', '-a', '--arg-file', '--delimiter', '--max-args', '--max-lines', '--max-procs', '--max-chars', '--eof', '--replace', '--process-slot-var']);
const XARGS_FLAGS = new Set(['-0', '-r', '-t', '-x', '-o', '--null', '--no-run-if-empty', '--verbose', '--exit', '--open-tty', '--show-limits']);

function classifyXargs(args: readonly string[]): Classification {
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (XARGS_VALUE_FLAGS.has(a)) i += 2;
    else if (XARGS_FLAGS.has(a) || /^--[a-z-]+=/.test(a) || /^-[ILnPsdEaile].+/.test(a) || a === '-i' || a === '-e' || a === '-l') i += 1;
    else if (a === '-p' || a === '--interactive') return unknown('xargs -p waits for answers on the terminal');
    else if (a.startsWith('-')) return unknown(`xargs option ${a} is not understood`);
    else break;
  }
  const inner = args.slice(i);
  if (inner.length === 0) return unknown('xargs without a command');
  const verdict = classifyCommand(inner);
  if (verdict.level !== 'safe') return { level: verdict.level, why: `xargs runs ${programBasename(inner[0]!)}: ${verdict.why}` };
  if (!SAFE_UNDER_XARGS.has(programBasename(inner[0]!)))
    return unknown(`xargs adds words read from its input to ${programBasename(inner[0]!)}, which could change what it does`);
  return safe(`xargs runs ${programBasename(inner[0]!)}, which only reads`);
}

function classifyRm(args: readonly string[]): Classification {
  if (hasShortFlag(args, 'rRf') || hasLongFlag(args, '--recursive', '--force')) return dangerous('rm -r/-f deletes files without asking, recursively');
  return unknown('rm deletes files');
}

function classifyKill(args: readonly string[]): Classification {
  const targets: string[] = [];
  let signalSeen = false;
  let operandsOnly = false;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (operandsOnly) targets.push(a);
    else if (a === '--') operandsOnly = true;
    else if (a === '-s' || a === '-n') {
      signalSeen = true;
      i += 1;
    } else if (a.startsWith('-') && !signalSeen) signalSeen = true;
    else targets.push(a);
  }
  // Process 1 is init; -1 means every process the user may signal.
  if (targets.some((t) => t === '1' || t === '-1')) return dangerous('kill of process 1 or -1 takes down the system or every process');
  return unknown('kill stops processes');
}

/** Operands of `uniq` (options that take a value skipped); a second one is an output file. */
function uniqOperands(args: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (['-f', '-s', '-w'].includes(a)) i += 1;
    else if (!a.startsWith('-') || a === '-') count += 1;
  }
  return count;
}

function classifyDate(args: readonly string[]): Classification {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (['-d', '-f', '-r', '--date', '--file', '--reference'].includes(a)) i += 1;
    else if (a === '-s' || hasLongFlag([a], '--set') || (isShortCluster(a) && a.includes('s') && !a.startsWith('-I'))) return unknown('date -s sets the clock');
    else if (!a.startsWith('-') && !a.startsWith('+')) return unknown('date with an operand sets the clock');
  }
  return safe('date only prints the time');
}

/** The program-specific heuristics; argv has no wrapper layers left. */
function classifyProgram(argv: readonly string[]): Classification {
  const program = programBasename(argv[0]!);
  const args = argv.slice(1);
  if (program in ALWAYS_DANGEROUS) return dangerous(ALWAYS_DANGEROUS[program]!);
  if (program.startsWith('mkfs')) return dangerous(`${program} formats a device`);
  if (ALWAYS_SAFE.has(program)) return safe(`${program} only reads`);
  switch (program) {
    case 'git':
      return classifyGit(argv);
    case 'rm':
      return classifyRm(args);
    case 'chmod':
    case 'chown':
    case 'chgrp':
      return hasShortFlag(args, 'R') || hasLongFlag(args, '--recursive')
        ? dangerous(`${program} -R changes a whole tree`)
        : unknown(`${program} changes file attributes`);
    case 'kill':
      return classifyKill(args);
    case 'init':
    case 'telinit':
      return args.some((a) => a === '0' || a === '6') ? dangerous(`${program} ${args.join(' ')} stops or restarts the machine`) : unknown(`${program} changes the run level`);
    case 'systemctl':
      return args.some((a) => ['poweroff', 'reboot', 'halt', 'kexec'].includes(a)) ? dangerous('systemctl stops or restarts the machine') : unknown('systemctl manages services');
    case 'find':
      return classifyFind(args);
    case 'xargs':
      return classifyXargs(args);
    case 'sed':
      return classifySed(args);
    case 'rg':
      return hasLongFlag(args, '--pre', '--hostname-bin', '--search-zip') || hasShortFlag(args, 'z')
        ? unknown('rg --pre/-z runs other programs on the files')
        : safe('rg only reads');
    case 'ag':
      return hasLongFlag(args, '--pager') ? unknown('ag --pager runs a program') : safe('ag only reads');
    case 'sort':
      return hasShortFlag(args, 'o') || hasLongFlag(args, '--output', '--compress-program')
        ? unknown('sort -o writes a file, --compress-program runs one')
        : safe('sort only reads');
    case 'uniq':
      return uniqOperands(args) > 1 ? unknown('uniq with two operands writes the second') : safe('uniq only reads');
    case 'tree':
      return beforeDoubleDash(args).includes('-o') ? unknown('tree -o writes a file') : safe('tree only reads');
    case 'file':
      return hasShortFlag(args, 'C') || hasLongFlag(args, '--compile') ? unknown('file -C writes a compiled magic file') : safe('file only reads');
    case 'date':
      return classifyDate(args);
    default:
      return unknown(`${program} is not known to be read-only`);
  }
}

/**
 * What the built-in knowledge says about one simple command that no rule covers:
 * `safe` (known to only read), `dangerous` (known to destroy data, escalate privileges or
 * stop the machine) or `unknown`. Wrappers (env, nice, timeout, nohup, time, command,
 * exec, stdbuf) are looked through; xargs and find -exec are judged by what they run.
 */
export function classifyCommand(argv: readonly string[]): Classification {
  if (argv.length === 0) return unknown('empty command');
  const inner = unwrapAll(argv);
  if (inner.kind === 'opaque') return unknown(inner.why);
  if (inner.kind === 'alone') return safe(`${programBasename(argv[0]!)} runs nothing here`);
  if (inner.argv.length === 0) return unknown('empty command');
  return classifyProgram(inner.argv);
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'ash', 'csh', 'tcsh']);
const INTERPRETERS = new Set(['python', 'python3', 'python2', 'perl', 'ruby', 'node', 'php']);
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c']);

function innermost(argv: readonly string[]): string[] | null {
  const inner = unwrapAll(argv);
  if (inner.kind !== 'wrapped' || inner.argv.length === 0) return null;
  // Privilege wrappers are dangerous anyway; look through them to name the reason.
  if (['sudo', 'doas'].includes(programBasename(inner.argv[0]!))) {
    const rest = inner.argv.slice(1).filter((w) => !w.startsWith('-'));
    return rest.length === 0 ? null : innermost(rest);
  }
  return inner.argv;
}

/** Whether a command downloads something (curl, wget, ...). */
export function isDownloader(argv: readonly string[]): boolean {
  const inner = innermost(argv);
  return inner !== null && DOWNLOADERS.has(programBasename(inner[0]!));
}

/**
 * Whether a command would run a script read from its standard input: a shell, or an
 * interpreter given no script file (`python3`, `python3 -`).
 */
export function runsStdinAsCode(argv: readonly string[]): boolean {
  const inner = innermost(argv);
  if (inner === null) return false;
  const program = programBasename(inner[0]!);
  if (SHELLS.has(program)) return true;
  return INTERPRETERS.has(program) && inner.slice(1).every((a) => a === '-' || (a.startsWith('-') && !['-c', '-e', '-m', '-E', '-r'].includes(a)));
}
