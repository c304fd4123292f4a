import { resolve } from 'node:path';
import type { CommandAction } from '../../../protocol/index.js';
import { actionOfCommand } from './classify.js';
import type { ParsedScript } from './types.js';

/** Commands that only reshape what comes down a pipe; after a `|` they add nothing to say. */
const FORMATTERS = new Set(['head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'tr', 'column', 'nl', 'cat', 'less', 'more']);

/**
 * Summarises a parsed script as actions ("read x", "search y in z") for clients. A complex
 * script, a script with nothing to summarise, or one where any command is not recognised,
 * is a single `unknown` action carrying `fullText`: a partial summary would mislead.
 * `cd DIR` (alone, not in a pipe, not `~` or `-`) moves where later relative paths resolve.
 */
export function commandActionsFor(parsed: ParsedScript, cwd: string, fullText: string): CommandAction[] {
  const whole: CommandAction[] = [{ type: 'unknown', command: fullText }];
  if (parsed.kind !== 'plain') return whole;
  const { commands, operators } = parsed;
  const actions: CommandAction[] = [];
  let dir = cwd;
  for (const [index, { argv, text }] of commands.entries()) {
    const afterPipe = index > 0 && operators[index - 1] === '|';
    const beforePipe = operators[index] === '|';
    const [name, ...args] = argv;
    if (name === undefined) return whole;
    if (afterPipe && FORMATTERS.has(name)) continue;
    if (name === 'cd') {
      const target = args[0];
      if (args.length !== 1 || target === undefined || afterPipe || beforePipe || /^[~-]/.test(target)) return whole;
      dir = resolve(dir, target);
      continue;
    }
    const action = actionOfCommand(text, argv, dir);
    const last = actions.at(-1);
    if (!last || JSON.stringify(last) !== JSON.stringify(action)) actions.push(action);
  }
  if (actions.length === 0 || actions.some((action) => action.type === 'unknown')) return whole;
  return actions;
}
