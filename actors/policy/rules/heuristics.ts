import { DYNAMIC, isDynamic, shownWord, type Stdin } from '../parse/types.js';
import { classifyCodeRunner } from './code.runners.js';
import { classifyExecOptions } from './exec.options.js';
import { beforeDoubleDash, hasLongFlag, hasShortFlag, isAssignment, isShortCluster } from './flags.js';
import { classifyGit } from './git.heuristics.js';
import { programBasename } from './match.js';
import { classifyAwk, classifySed } from './stream.editors.js';
import { dangerous, safe, unknown, type Classification, type Nested } from './verdict.js';
import { classifyWrapper } from './wrappers.js';

export type { Classification } from './verdict.js';

/** Shell keywords: as a command name they mean the parser saw a compound command as words (`time { ...; }`). */
const RESERVED = new Set([
  '{',
  '}',
  '(',
  ')',
  '!',
  '[[',
  ']]',
  'if',
  'then',
  'elif',
  'else',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'select',
  'function',
]);

/** Programs that only read and print, whatever their arguments. */
const ALWAYS_SAFE = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'pwd',
  'echo',
  'printf',
  'grep',
  'egrep',
  'fgrep',
  'nl',
  'stat',
  'which',
  'whoami',
  'id',
  'uname',
  'true',
  'false',
  'cut',
  'tr',
  'diff',
  'cmp',
  'basename',
  'dirname',
  'realpath',
  'du',
  'df',
]);

const ALWAYS_DANGEROUS: Record<string, string> = {
  coproc: 'coproc runs commands in the background beside the shell, which is not read here',
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

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** find lists files unless an action says otherwise; the commands of -exec and friends are judged too. */
function classifyFind(args: readonly string[]): Classification {
  const nested: Nested[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (!FIND_EXEC.has(args[i]!)) continue;
    let end = i + 1;
    while (end < args.length && args[end] !== ';' && args[end] !== '+') end += 1;
    // `{}` becomes each file found: only known when it runs.
    const argv = args.slice(i + 1, end).map((word) => (word.includes('{}') ? `${DYNAMIC}${word}` : word));
    if (argv.length > 0) nested.push({ kind: 'command', argv });
    i = end;
  }
  const withRuns = (verdict: Classification): Classification => (nested.length > 0 ? { ...verdict, runs: nested } : verdict);
  if (args.includes('-delete')) return withRuns(dangerous('find -delete removes every file it matches'));
  if (nested.length > 0) return withRuns(unknown('find -exec runs another command for each file'));
  if (args.some((a) => ['-fprint', '-fprint0', '-fprintf', '-fls'].includes(a))) return unknown('find -fprint/-fls writes files');
  return safe('find without actions only lists files');
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
      return args.some((a) => a === '0' || a === '6')
        ? dangerous(`${program} ${args.join(' ')} stops or restarts the machine`)
        : unknown(`${program} changes the run level`);
    case 'systemctl':
      return args.some((a) => ['poweroff', 'reboot', 'halt', 'kexec'].includes(a))
        ? dangerous('systemctl stops or restarts the machine')
        : unknown('systemctl manages services');
    case 'find':
      return classifyFind(args);
    case 'sed':
    case 'gsed':
      return classifySed(args);
    case 'awk':
    case 'gawk':
    case 'mawk':
    case 'nawk':
      return classifyAwk(program, args);
    case 'rg':
      if (hasLongFlag(args, '--pre', '--hostname-bin')) return dangerous('rg --pre/--hostname-bin runs the program it names on the files');
      return hasLongFlag(args, '--search-zip') || hasShortFlag(args, 'z') ? unknown('rg -z runs decompressors on the files') : safe('rg only reads');
    case 'ag':
      return hasLongFlag(args, '--pager') ? dangerous('ag --pager runs the program it names') : safe('ag only reads');
    case 'sort':
      if (hasLongFlag(args, '--compress-program')) return dangerous('sort --compress-program runs the program it names');
      return hasShortFlag(args, 'o') || hasLongFlag(args, '--output') ? unknown('sort -o writes a file') : safe('sort only reads');
    case 'uniq':
      return uniqOperands(args) > 1 ? unknown('uniq with two operands writes the second') : safe('uniq only reads');
    case 'tree':
      return beforeDoubleDash(args).includes('-o') ? unknown('tree -o writes a file') : safe('tree only reads');
    case 'file':
      return hasShortFlag(args, 'C') || hasLongFlag(args, '--compile') ? unknown('file -C writes a compiled magic file') : safe('file only reads');
    case 'date':
      return classifyDate(args);
    default:
      return classifyExecOptions(program, args) ?? unknown(`${program} is not known to be read-only`);
  }
}

/**
 * What the built-in knowledge says about one simple command: `safe` (known to only read),
 * `dangerous` (known to destroy data, escalate privileges, stop the machine, or run code
 * that cannot be checked here) or `unknown`, and what else it runs (`runs`): the command a
 * wrapper is given, the code of `sh -c` or `eval`, the commands of `find -exec`. A command
 * name only known at run time is dangerous; a command whose arguments are only known at
 * run time is at best unknown, unless it only prints whatever they are.
 */
export function classifyCommand(argv: readonly string[], stdin?: Stdin): Classification {
  const first = argv[0];
  if (first === undefined) return unknown('empty command');
  if (isDynamic(first) && !isAssignment(first)) return dangerous(`the command name ${shownWord(first)} is only known when the script runs`);
  if (RESERVED.has(first)) return dangerous(`the shell word ${first} stands where a command should: the script is not read here the way bash would run it`);
  const verdict = classifyWrapper(argv, stdin) ?? classifyCodeRunner(argv, stdin) ?? classifyProgram(argv);
  const program = programBasename(first);
  if (verdict.level === 'safe' && !ALWAYS_SAFE.has(program) && argv.slice(1).some(isDynamic))
    return { ...verdict, level: 'unknown', why: `the arguments of ${program} are only known when the script runs` };
  return verdict;
}
