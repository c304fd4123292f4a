import { homedir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { isTable, type Table } from './key.path.js';

/** Where statecraft keeps its user config and state: $STATECRAFT_HOME or ~/.statecraft. */
export function statecraftHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['STATECRAFT_HOME'];
  return configured ? resolve(expandHome(configured, env)) : join(userHome(env), '.statecraft');
}

function userHome(env: NodeJS.ProcessEnv): string {
  return env['HOME'] || homedir();
}

/** Lets config values say `~/notes.md` as they would in a shell. */
function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' || path.startsWith('~/') ? join(userHome(env), path.slice(1)) : path;
}

/** A path resolved the way a user would read it: `~` expanded, relative to `base`. */
export function absolutePath(path: string, base: string, env: NodeJS.ProcessEnv): string {
  return resolve(base, expandHome(path, env));
}

/** The path as shown to users: under their home directory it starts with `~`. */
export function displayPath(path: string, env: NodeJS.ProcessEnv): string {
  const home = userHome(env);
  return path === home || path.startsWith(home + sep) ? `~${path.slice(home.length)}` : path;
}

/**
 * Makes `model_instructions_file` absolute (top level and in profiles) while the layer
 * still knows where it came from: a relative path means relative to the file that says it.
 */
export function anchorInstructionsFiles(layer: Table, base: string, env: NodeJS.ProcessEnv): Table {
  const anchor = (table: Table): Table => {
    const file = table['model_instructions_file'];
    return typeof file === 'string' && !isAbsolute(file) ? { ...table, model_instructions_file: absolutePath(file, base, env) } : table;
  };
  const profiles = layer['profiles'];
  const anchored = anchor(layer);
  if (!isTable(profiles)) return anchored;
  return {
    ...anchored,
    profiles: Object.fromEntries(Object.entries(profiles).map(([name, table]) => [name, isTable(table) ? anchor(table) : table])),
  };
}
