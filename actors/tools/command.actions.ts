import { basename, resolve } from 'node:path';
import type { CommandAction } from '../../protocol/index.js';

/**
 * A light summary of what a shell script does, for clients that show "Read x" / "Search y".
 * Only scripts without quotes, expansions, redirections or grouping are looked into; they are
 * split on `&&`, `||`, `;`, newlines and `|`. Anything else, and any script with a part this
 * does not recognise, is one `unknown` action for the whole script, as the reference does.
 */
export function commandActionsOf(cmd: string, cwd: string): CommandAction[] {
  const whole: CommandAction[] = [{ type: 'unknown', command: cmd }];
  if (COMPLEX.test(cmd)) return whole;
  const actions: CommandAction[] = [];
  let dir = cwd;
  for (const pipeline of cmd.split(/&&|\|\||;|\n/)) {
    const stages = pipeline.split('|').map((stage) => stage.trim());
    if (stages.some((stage) => stage === '')) {
      if (stages.length === 1) continue; // `a;` or a blank line
      return whole; // `a | ` is not a complete pipeline
    }
    for (const [index, text] of stages.entries()) {
      const words = text.split(/\s+/);
      if (index > 0 && FORMATTERS.has(words[0]!)) continue;
      if (words[0] === 'cd') {
        // A plain `cd DIR` moves where later paths resolve; `cd`, `cd ~` and `cd -` are left alone.
        if (words.length !== 2 || stages.length > 1 || /^[~-]/.test(words[1]!)) return whole;
        dir = resolve(dir, words[1]!);
        continue;
      }
      const action = classify(text, words, dir);
      const last = actions.at(-1);
      if (!last || JSON.stringify(last) !== JSON.stringify(action)) actions.push(action);
    }
  }
  if (actions.length === 0 || actions.some((action) => action.type === 'unknown')) return whole;
  return actions;
}

/** Quotes, expansions, redirections, grouping, backgrounding and comments: left to the full parser. */
const COMPLEX = /['"`$\\<>(){}#]|(?<!&)&(?!&)/;

/** Commands that only reshape output when they read from a pipe. */
const FORMATTERS = new Set(['head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'tr', 'column', 'nl', 'cat', 'less', 'more']);

const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'nl']);

/** Options that take the next word as their value, per command. */
const VALUE_OPTIONS: Record<string, Set<string>> = {
  head: new Set(['-n', '-c']),
  tail: new Set(['-n', '-c']),
  nl: new Set(['-b', '-w', '-s', '-v', '-i']),
  tree: new Set(['-L', '-I', '-P']),
  ls: new Set(['-I', '--ignore', '-w']),
  rg: new Set(['-e', '-g', '--glob', '-t', '--type', '-T', '--type-not', '-m', '--max-count', '-A', '-B', '-C', '-j', '--max-depth', '-M']),
  grep: new Set(['-e', '-f', '-A', '-B', '-C', '-m', '--include', '--exclude', '--exclude-dir']),
  ag: new Set(['-G', '-A', '-B', '-C', '-m', '--ignore']),
};

/** Splits a command's arguments into operands and the values of the options it names. */
function operandsOf(command: string, args: string[]): { operands: string[]; options: Map<string, string> } {
  const takesValue = VALUE_OPTIONS[command] ?? new Set<string>();
  const operands: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      if (takesValue.has(arg) && i + 1 < args.length) options.set(arg, args[++i]!);
      else options.set(arg, '');
      continue;
    }
    operands.push(arg);
  }
  return { operands, options };
}

function classify(text: string, words: string[], cwd: string): CommandAction {
  const [name, ...rest] = words as [string, ...string[]];
  const unknown: CommandAction = { type: 'unknown', command: text };
  if (READERS.has(name)) {
    const { operands } = operandsOf(name, rest);
    if (operands.length !== 1) return unknown;
    const file = operands[0]!;
    return { type: 'read', command: text, name: basename(file), path: resolve(cwd, file) };
  }
  if (name === 'sed') {
    // `sed -n 10,20p FILE` prints part of a file.
    if (rest.length === 3 && rest[0] === '-n' && /^\d+(,\d+)?p$/.test(rest[1]!)) {
      return { type: 'read', command: text, name: basename(rest[2]!), path: resolve(cwd, rest[2]!) };
    }
    return unknown;
  }
  if (name === 'ls' || name === 'tree') {
    const { operands } = operandsOf(name, rest);
    return { type: 'listFiles', command: text, path: operands[0] ?? null };
  }
  if (name === 'find') {
    if (rest.some((arg) => FIND_ACTIONS.has(arg))) return unknown;
    const path = rest[0] && !rest[0].startsWith('-') && rest[0] !== '!' ? rest[0] : null;
    return { type: 'listFiles', command: text, path };
  }
  if (name === 'git') return rest[0] === 'grep' ? search(text, 'grep', rest.slice(1)) : unknown;
  if (name === 'rg' || name === 'grep' || name === 'ag' || name === 'egrep' || name === 'fgrep') return search(text, name, rest);
  return unknown;
}

/** find's primaries that act on what they find rather than list it. */
const FIND_ACTIONS = new Set(['-exec', '-execdir', '-ok', '-okdir', '-delete', '-fprint', '-fprint0', '-fprintf', '-fls']);

function search(text: string, tool: string, args: string[]): CommandAction {
  const { operands, options } = operandsOf(tool === 'egrep' || tool === 'fgrep' ? 'grep' : tool, args);
  if (tool === 'rg' && options.has('--files')) return { type: 'listFiles', command: text, path: operands[0] ?? null };
  const pattern = options.get('-e') || null;
  const [query, path] = pattern ? [pattern, operands[0] ?? null] : [operands[0] ?? null, operands[1] ?? null];
  if (query === null) return { type: 'unknown', command: text };
  return { type: 'search', command: text, query, path };
}
