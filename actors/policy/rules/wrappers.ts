import { DYNAMIC, isDynamic, shownWord, type Stdin } from '../parse/types.js';
import { isAssignment, isRiskyVariable } from './flags.js';
import { programBasename } from './match.js';
import { splitShellWords } from './shellwords.js';
import { dangerous, runs, safe, unknown, type Classification } from './verdict.js';

/**
 * How a wrapper's command line reads: its options, then (after `operands` fixed words) the
 * command it runs. An option not listed makes the wrapper unreadable: it could be one that
 * takes a value, and then the command would start elsewhere.
 */
interface WrapperSpec {
  /** Short options without a value, and short options that take one. */
  flags?: string;
  values?: string;
  long?: readonly string[];
  longValues?: readonly string[];
  /** Words between the options and the command (timeout's duration, taskset's mask, flock's file). */
  operands?: number;
  /** Options whose value is shell code the wrapper runs (`flock -c`, `su -c`). */
  scriptShort?: string;
  scriptLong?: readonly string[];
  /** Options after which nothing is run (`command -v` only looks a name up). */
  aloneShort?: string;
  /** Options that make the wrapper write a file (`time -o`). */
  writes?: readonly string[];
  /** `-5` is an option (nice). */
  numeric?: boolean;
  /** The words after the options are not a command (su's user, script's log file): only a script option runs anything. */
  scriptOnly?: boolean;
  /** Dangerous whatever it runs. */
  danger?: string;
}

const SU: WrapperSpec = {
  flags: 'lmpfP',
  values: 'gGswu',
  long: ['--login', '--preserve-environment', '--pty', '--fast'],
  longValues: ['--shell', '--group', '--supp-group', '--whitelist-environment', '--user'],
  scriptShort: 'c',
  scriptLong: ['--command', '--session-command'],
  scriptOnly: true,
};

const WRAPPERS: Record<string, WrapperSpec> = {
  nohup: {},
  builtin: {},
  busybox: {},
  unbuffer: { flags: 'p' },
  setsid: { flags: 'cfw', long: ['--ctty', '--fork', '--wait'] },
  time: {
    flags: 'pvqa',
    values: 'fo',
    long: ['--portability', '--verbose', '--quiet', '--append'],
    longValues: ['--format', '--output'],
    writes: ['-o', '--output'],
  },
  stdbuf: { values: 'ioe', longValues: ['--input', '--output', '--error'] },
  timeout: { flags: 'v', values: 'sk', long: ['--preserve-status', '--foreground', '--verbose'], longValues: ['--signal', '--kill-after'], operands: 1 },
  nice: { values: 'n', longValues: ['--adjustment'], numeric: true },
  ionice: { flags: 't', values: 'cnpPu', long: ['--ignore'], longValues: ['--class', '--classdata', '--pid', '--pgid', '--uid'] },
  chrt: {
    flags: 'abdfiormRve',
    values: 'TPD',
    long: ['--all-tasks', '--batch', '--deadline', '--fifo', '--idle', '--other', '--rr', '--reset-on-fork', '--max', '--verbose'],
    longValues: ['--sched-runtime', '--sched-period', '--sched-deadline'],
    operands: 1,
  },
  taskset: { flags: 'acp', long: ['--all-tasks', '--cpu-list', '--pid'], operands: 1 },
  flock: {
    flags: 'sxeunoF',
    values: 'wE',
    long: ['--shared', '--exclusive', '--unlock', '--nonblock', '--nb', '--close', '--no-fork', '--verbose'],
    longValues: ['--timeout', '--wait', '--conflict-exit-code'],
    scriptShort: 'c',
    scriptLong: ['--command'],
    operands: 1,
  },
  strace: { flags: 'fFcCqtTvVxywZzikrnDd', values: 'eoOpPsSuEXabIUA', writes: ['-o'] },
  ltrace: { flags: 'fSbcCiLrtTV', values: 'aeoplnsuxAD', writes: ['-o'] },
  command: { flags: 'p', aloneShort: 'vV' },
  exec: { flags: 'cl', values: 'a' },
  script: {
    flags: 'aefqk',
    values: 'EItOBTm',
    long: ['--append', '--return', '--flush', '--force', '--quiet'],
    longValues: ['--echo', '--log-in', '--log-out', '--log-io', '--log-timing', '--logging-format', '--output-limit', '--timing'],
    scriptShort: 'c',
    scriptLong: ['--command'],
    scriptOnly: true,
  },
  sudo: {
    flags: 'AbEHnPSkKlsiBN',
    values: 'ughpCDrtUTR',
    long: [
      '--askpass',
      '--background',
      '--preserve-env',
      '--set-home',
      '--non-interactive',
      '--preserve-groups',
      '--stdin',
      '--reset-timestamp',
      '--remove-timestamp',
      '--list',
      '--shell',
      '--login',
      '--bell',
      '--validate',
    ],
    longValues: ['--user', '--group', '--host', '--prompt', '--close-from', '--chdir', '--role', '--type', '--other-user', '--command-timeout', '--chroot'],
    danger: 'sudo runs a command as another user (usually root)',
  },
  doas: { flags: 'ns', values: 'uC', danger: 'doas runs a command as another user' },
  su: { ...SU, danger: 'su switches to another user' },
  runuser: { ...SU, danger: 'runuser runs a command as another user' },
};

/** Wrappers read by their own functions below. */
const SPECIAL = new Set(['env', 'xargs', 'watch', 'parallel']);

/** Whether a program only runs another command it is given (and so no prefix rule should cover it). */
export function isWrapper(program: string): boolean {
  const name = programBasename(program);
  return name in WRAPPERS || SPECIAL.has(name);
}

const opaque = (why: string) => dangerous(`cannot tell what it runs: ${why}`);

/** A script handed over as text: judged when literal, asked about when only known at run time. */
function script(name: string, code: string, stdin: Stdin | undefined): Classification {
  if (isDynamic(code)) return dangerous(`${name} runs shell code only known when the script runs (${shownWord(code)})`);
  return runs(`${name} runs the shell code it is given`, { kind: 'script', script: code, ...(stdin ? { stdin } : {}) });
}

/** The command a wrapper runs from word `i` on; nothing, when there are no words left. */
function command(name: string, argv: readonly string[], i: number, stdin: Stdin | undefined): Classification {
  if (i >= argv.length) return safe(`${name} runs nothing here`);
  return runs(`${name} runs the command it is given`, { kind: 'command', argv: argv.slice(i), ...(stdin ? { stdin } : {}) });
}

function fromSpec(name: string, spec: WrapperSpec, argv: readonly string[], stdin: Stdin | undefined): Classification {
  const { flags = '', values = '', long = [], longValues = [], scriptShort = '', scriptLong = [], aloneShort = '', writes = [] } = spec;
  let code: string | null = null;
  // Set inside the option loops; written this way so the checker does not take it for always null.
  let wrote = null as string | null;
  let alone = false;
  let i = 1;
  // Reads the options at argv[i...]; returns a reason when one is not understood.
  const options = (): string | null => {
    while (i < argv.length) {
      const a = argv[i]!;
      if (a === '--') {
        i += 1;
        return null;
      }
      if (isDynamic(a) || !a.startsWith('-') || a === '-') return null;
      if (a.startsWith('--')) {
        const eq = a.indexOf('=');
        const option = eq < 0 ? a : a.slice(0, eq);
        const value = eq < 0 ? argv[i + 1] : a.slice(eq + 1);
        if (writes.includes(option)) wrote = option;
        if (long.includes(option)) i += 1;
        else if (longValues.includes(option)) i += eq < 0 ? 2 : 1;
        else if (scriptLong.includes(option)) {
          code = value ?? '';
          i += eq < 0 ? 2 : 1;
        } else return `${name} option ${a} is not understood`;
        continue;
      }
      if (spec.numeric && /^-\d+$/.test(a)) {
        i += 1;
        continue;
      }
      for (let j = 1; j < a.length; j += 1) {
        const letter = a[j]!;
        if (aloneShort.includes(letter)) {
          alone = true;
          return null;
        }
        if (writes.includes(`-${letter}`)) wrote = `-${letter}`;
        if (flags.includes(letter)) continue;
        if (values.includes(letter) || scriptShort.includes(letter)) {
          const glued = a.slice(j + 1);
          const value = glued !== '' ? glued : argv[++i];
          if (scriptShort.includes(letter)) code = value ?? '';
          break;
        }
        return `${name} option -${letter} is not understood`;
      }
      i += 1;
    }
    return null;
  };
  let problem = options();
  if (problem === null && !alone && spec.operands) {
    i += spec.operands;
    // Options may follow the operands too (`flock FILE -c CMD`).
    problem = options();
  }
  let verdict: Classification;
  if (problem !== null) verdict = opaque(problem);
  else if (alone) verdict = safe(`${name} ${argv[i]} runs nothing`);
  else if (code !== null) verdict = script(name, code, stdin);
  else if (spec.scriptOnly) verdict = dangerous(`${name} without a command runs an interactive shell`);
  else verdict = command(name, argv, i, stdin);
  if (spec.danger) return { ...verdict, level: 'dangerous', why: spec.danger };
  if (wrote !== null && verdict.level === 'safe') return { ...verdict, level: 'unknown', why: `${name} ${wrote} writes a file` };
  return verdict;
}

/** `env [OPTIONS] [NAME=VALUE...] [COMMAND...]`, and leading `NAME=VALUE` words of any command. */
function env(argv: readonly string[], stdin: Stdin | undefined): Classification {
  let i = 1;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (['-i', '--ignore-environment', '-0', '--null', '-v', '--debug', '-'].includes(a)) i += 1;
    else if (['-u', '--unset', '-C', '--chdir'].includes(a)) i += 2;
    else if (a.startsWith('--unset=') || a.startsWith('--chdir=') || /^-[uC]./.test(a)) i += 1;
    else if (a === '-S' || a === '--split-string' || a.startsWith('-S') || a.startsWith('--split-string=')) {
      const text = a === '-S' || a === '--split-string' ? argv[i + 1] : a.slice(a.startsWith('-S') ? 2 : '--split-string='.length);
      if (text === undefined || isDynamic(text) || text.includes('$'))
        return dangerous('env -S builds its command from a string only known when the script runs');
      let words: string[];
      try {
        words = splitShellWords(text);
      } catch (error) {
        return opaque(`env -S ${(error as Error).message}`);
      }
      const rest = argv.slice(i + (a === '-S' || a === '--split-string' ? 2 : 1));
      const inner = command('env -S', [argv[0]!, ...words, ...rest], 1, stdin);
      return { ...inner, level: 'unknown', why: 'env -S builds its command from a string' };
    } else if (a.startsWith('-') && !isDynamic(a)) return opaque(`env option ${a} is not understood`);
    else if (isAssignment(a)) {
      if (isRiskyVariable(a)) return dangerous(`setting ${a.slice(0, a.indexOf('='))} changes what programs load or run`);
      i += 1;
    } else break;
  }
  return command('env', argv, i, stdin);
}

const XARGS_VALUE_FLAGS = new Set([
  '-I',
  '-L',
  '-n',
  '-P',
  '-s',
  '-d',
  '-E',
  '-a',
  '--arg-file',
  '--delimiter',
  '--max-args',
  '--max-lines',
  '--max-procs',
  '--max-chars',
  '--eof',
  '--replace',
  '--process-slot-var',
]);
const XARGS_FLAGS = new Set(['-0', '-r', '-t', '-x', '-o', '--null', '--no-run-if-empty', '--verbose', '--exit', '--open-tty', '--show-limits']);

/**
 * Safe programs that stay safe whatever words `xargs` appends to them (options
 * included). `rg`, `find`, `git`, `sort` ... are not: an appended `--pre=x`, `-delete`
 * or `-o file` would change what they do.
 */
const SAFE_UNDER_XARGS = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'echo',
  'grep',
  'egrep',
  'fgrep',
  'nl',
  'stat',
  'basename',
  'dirname',
  'realpath',
  'du',
  'cmp',
  'diff',
  'true',
  'false',
]);

/** Programs that run the words they are given as code: whatever xargs appends could be that code. */
const RUNS_ITS_WORDS = /^(sh|bash|zsh|dash|ksh|mksh|ash|yash|fish|csh|tcsh|python[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|php[\d.]*|lua[\d.]*|eval|source|\.)$/;
/** Tools whose first words choose what they run (a git alias, an awk program, a find action): given nothing else, xargs supplies those. */
const RUNS_ITS_FIRST_WORDS = new Set(['git', 'awk', 'gawk', 'mawk', 'nawk', 'sed', 'gsed', 'find', 'tar', 'rsync', 'ssh']);

function xargs(argv: readonly string[]): Classification {
  let i = 1;
  let replace: string | null = null;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (a === '-I' || a === '--replace') replace = argv[i + 1] ?? null;
    else if (/^-I./.test(a)) replace = a.slice(2);
    else if (a === '-i' || a.startsWith('--replace=')) replace = a.startsWith('--replace=') ? a.slice(10) : '{}';
    if (XARGS_VALUE_FLAGS.has(a)) i += 2;
    else if (XARGS_FLAGS.has(a) || /^--[a-z-]+=/.test(a) || /^-[ILnPsdEaile].+/.test(a) || a === '-i' || a === '-e' || a === '-l') i += 1;
    else if (a === '-p' || a === '--interactive') return unknown('xargs -p waits for answers on the terminal');
    else if (a.startsWith('-') && !isDynamic(a)) return opaque(`xargs option ${a} is not understood`);
    else break;
  }
  if (i >= argv.length) return unknown('xargs without a command runs echo');
  // The words xargs reads stand in for the replace string: only known when it runs.
  const inner = argv.slice(i).map((word) => (replace !== null && word.includes(replace) ? `${DYNAMIC}${word}` : word));
  const name = programBasename(shownWord(inner[0]!));
  const nested = { kind: 'command' as const, argv: inner };
  if (replace === null && (isWrapper(name) || RUNS_ITS_WORDS.test(name) || (inner.length === 1 && RUNS_ITS_FIRST_WORDS.has(name))))
    return { level: 'dangerous', why: `xargs adds words read from its input to ${name}, which can run them as a command or code`, runs: [nested] };
  if (!SAFE_UNDER_XARGS.has(name) && !isDynamic(inner[0]!))
    return { level: 'unknown', why: `xargs adds words read from its input to ${name}, which could change what it does`, runs: [nested] };
  return runs(`xargs runs ${name} on words read from its input`, nested);
}

/** `watch [OPTIONS] COMMAND...`: the words joined are run by `sh -c`, or exec'd as they are with -x. */
function watch(argv: readonly string[], stdin: Stdin | undefined): Classification {
  let i = 1;
  let direct = false;
  const flags = [
    '-b',
    '--beep',
    '-c',
    '--color',
    '-C',
    '--no-color',
    '-d',
    '--differences',
    '-e',
    '--errexit',
    '-g',
    '--chgexit',
    '-p',
    '--precise',
    '-r',
    '--no-rerun',
    '-t',
    '--no-title',
    '-w',
    '--no-wrap',
    '--no-linewrap',
  ];
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (a === '-x' || a === '--exec') direct = true;
    else if (a === '-n' || a === '--interval' || a === '-q' || a === '--equexit') i += 1;
    else if (!(flags.includes(a) || /^-n[\d.]+$/.test(a) || /^--(interval|equexit|differences)=/.test(a))) {
      if (a.startsWith('-') && !isDynamic(a)) return opaque(`watch option ${a} is not understood`);
      break;
    }
    i += 1;
  }
  if (i >= argv.length) return unknown('watch without a command');
  return direct ? command('watch', argv, i, stdin) : script('watch', argv.slice(i).join(' '), stdin);
}

const PARALLEL_FLAGS = new Set([
  '-k',
  '--keep-order',
  '-v',
  '--verbose',
  '--tag',
  '-0',
  '--null',
  '--will-cite',
  '--bar',
  '--eta',
  '--progress',
  '-q',
  '--quote',
  '--dry-run',
  '-X',
  '-m',
  '-u',
  '--ungroup',
  '--line-buffer',
  '--group',
  '--halt-on-error',
]);
const PARALLEL_VALUES = new Set([
  '-j',
  '--jobs',
  '-n',
  '-N',
  '--max-args',
  '--halt',
  '-I',
  '--colsep',
  '--delay',
  '--timeout',
  '--retries',
  '-a',
  '--arg-file',
]);
const INPUT_SOURCES = new Set([':::', '::::', ':::+', '::::+']);

/**
 * GNU `parallel [OPTIONS] [COMMAND] ::: ARGS`: the command words are joined and run by a
 * shell. Without a command, each argument (or each line it reads) is a command of its own.
 */
function parallel(argv: readonly string[], stdin: Stdin | undefined): Classification {
  let i = 1;
  let fromFile = false;
  while (i < argv.length) {
    const a = argv[i]!;
    const option = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (a === '--') {
      i += 1;
      break;
    }
    if (PARALLEL_FLAGS.has(a) || /^-j\d+$/.test(a)) i += 1;
    else if (PARALLEL_VALUES.has(option)) {
      if (option === '-a' || option === '--arg-file') fromFile = true;
      i += a.includes('=') ? 1 : 2;
    } else if (a.startsWith('-') && !INPUT_SOURCES.has(a) && !isDynamic(a)) return opaque(`parallel option ${a} is not understood`);
    else break;
  }
  const end = argv.findIndex((word, at) => at >= i && INPUT_SOURCES.has(word));
  const words = argv.slice(i, end < 0 ? argv.length : end);
  if (words.length > 0) return script('parallel', words.join(' '), undefined);
  if (end < 0) {
    if (fromFile) return dangerous('parallel runs the commands listed in a file');
    return stdin?.kind === 'pipe'
      ? dangerous('parallel runs the commands it reads from a pipe, which cannot be checked')
      : unknown('parallel runs the commands it reads');
  }
  if (argv[end] !== ':::' && argv[end] !== ':::+') return dangerous('parallel runs the commands listed in a file');
  const commands = argv.slice(end + 1).filter((word) => !INPUT_SOURCES.has(word));
  if (commands.some(isDynamic)) return dangerous('parallel runs commands only known when the script runs');
  return runs('parallel runs each argument as a command', ...commands.map((code) => ({ kind: 'script' as const, script: code })));
}

/**
 * What the heuristics say about a wrapper (a command that runs another one it is given), or
 * null when the command is not a wrapper. Leading `NAME=value` words count as `env`.
 */
export function classifyWrapper(argv: readonly string[], stdin: Stdin | undefined): Classification | null {
  const first = argv[0];
  if (first === undefined) return null;
  if (isAssignment(first)) return env(['env', ...argv], stdin);
  const name = programBasename(first);
  switch (name) {
    case 'env':
      return env(argv, stdin);
    case 'xargs':
      return xargs(argv);
    case 'watch':
      return watch(argv, stdin);
    case 'parallel':
      return parallel(argv, stdin);
    default: {
      const spec = WRAPPERS[name];
      return spec ? fromSpec(name, spec, argv, stdin) : null;
    }
  }
}
