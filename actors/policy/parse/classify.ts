import { basename, resolve } from 'node:path';
import type { CommandAction } from '../../../protocol/index.js';

/** Commands that print (part of) the one file they are given. */
const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'nl']);

const SEARCHERS = new Set(['rg', 'grep', 'egrep', 'fgrep', 'ag']);

/** Options whose value is the following word, per command (egrep and fgrep use grep's). */
const OPTIONS_WITH_VALUE: Record<string, ReadonlySet<string>> = {
  head: new Set(['-n', '-c']),
  tail: new Set(['-n', '-c']),
  nl: new Set(['-b', '-w', '-s', '-v', '-i']),
  tree: new Set(['-L', '-I', '-P']),
  ls: new Set(['-I', '--ignore', '-w']),
  rg: new Set(['-e', '-g', '--glob', '-t', '--type', '-T', '--type-not', '-m', '--max-count', '-A', '-B', '-C', '-j', '--max-depth', '-M']),
  grep: new Set(['-e', '-f', '-A', '-B', '-C', '-m', '--include', '--exclude', '--exclude-dir']),
  ag: new Set(['-G', '-A', '-B', '-C', '-m', '--ignore']),
};

/** find primaries that do something to what they find (run, delete, write) besides listing. */
const FIND_SIDE_EFFECTS = new Set(['-exec', '-execdir', '-ok', '-okdir', '-delete', '-fprint', '-fprint0', '-fprintf', '-fls']);

const GLOB = /[*?[]/;

interface Split {
  operands: string[];
  options: Map<string, string>;
}

/** Separates operands from options, taking an option's value along when the command needs one. */
function split(command: string, args: readonly string[]): Split {
  const withValue = OPTIONS_WITH_VALUE[command];
  const operands: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') operands.push(arg);
    else if (withValue?.has(arg) && i + 1 < args.length) options.set(arg, args[++i]!);
    else options.set(arg, '');
  }
  return { operands, options };
}

/** What one simple command does, judged from its words; `text` becomes the action's command. */
export function actionOfCommand(text: string, argv: readonly string[], cwd: string): CommandAction {
  const unknown: CommandAction = { type: 'unknown', command: text };
  const [name, ...args] = argv;
  if (name === undefined) return unknown;
  if (READERS.has(name)) {
    const { operands } = split(name, args);
    return operands.length === 1 ? readOf(text, operands[0]!, cwd) : unknown;
  }
  if (name === 'sed') {
    // `sed -n 5,9p FILE` shows a slice of one file.
    const [flag, script, file] = args;
    if (args.length === 3 && flag === '-n' && /^\d+(,\d+)?p$/.test(script!)) return readOf(text, file!, cwd);
    return unknown;
  }
  if (name === 'ls' || name === 'tree') {
    return { type: 'listFiles', command: text, path: split(name, args).operands[0] ?? null };
  }
  if (name === 'find') {
    if (args.some((arg) => FIND_SIDE_EFFECTS.has(arg))) return unknown;
    const first = args[0];
    const path = first !== undefined && !first.startsWith('-') && first !== '!' && first !== '(' ? first : null;
    return { type: 'listFiles', command: text, path };
  }
  if (name === 'git') return args[0] === 'grep' ? searchOf(text, 'grep', args.slice(1)) : unknown;
  if (SEARCHERS.has(name)) return searchOf(text, name === 'egrep' || name === 'fgrep' ? 'grep' : name, args);
  return unknown;
}

function readOf(text: string, file: string, cwd: string): CommandAction {
  // A pattern or a home-relative path does not name one file we can resolve here.
  if (GLOB.test(file) || file.startsWith('~') || file === '-') return { type: 'unknown', command: text };
  return { type: 'read', command: text, name: basename(file), path: resolve(cwd, file) };
}

function searchOf(text: string, tool: string, args: readonly string[]): CommandAction {
  const { operands, options } = split(tool, args);
  if (tool === 'rg' && options.has('--files')) return { type: 'listFiles', command: text, path: operands[0] ?? null };
  const explicit = options.get('-e') || null;
  const query = explicit ?? operands[0] ?? null;
  const path = (explicit ? operands[0] : operands[1]) ?? null;
  if (query === null) return { type: 'unknown', command: text };
  return { type: 'search', command: text, query, path };
}
