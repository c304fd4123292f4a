import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { findOnPath } from '../exec/index.js';

/** Where the standard shells live, once symlinks are resolved (`/bin/sh` is `/usr/bin/dash` on Debian). */
const STANDARD_SHELLS = new Set(['/bin', '/usr/bin'].flatMap((dir) => ['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh'].map((name) => join(dir, name))));

/** The file a shell name or path runs (looked up on PATH when it has no slash), symlinks resolved; null when there is none. */
async function realProgram(program: string, searchPath: string | undefined): Promise<string | null> {
  const found = program.includes('/') ? program : findOnPath(program, searchPath);
  if (found === null) return null;
  return realpath(found).catch(() => null);
}

/** The shell a command runs through, and the one the user configured. */
export interface ShellChoice {
  /** The executable the call runs its script with (the model may name one). */
  program: string;
  /** The user's shell (`shell` in config, else $SHELL). */
  configured: string;
  /** PATH of the command's environment, where a bare name is looked up. */
  searchPath: string | undefined;
}

/**
 * Why the shell a command runs through needs the user's approval, or null when it is a
 * standard shell at a standard place, or the user's own shell. The model chooses the shell of
 * a call, and a rule for `git status` says nothing about a script it planted and named as
 * its shell: such a program is judged as what it is, an unknown executable.
 */
export async function shellProblem({ program, configured, searchPath }: ShellChoice): Promise<string | null> {
  const real = await realProgram(program, searchPath);
  if (real === null) return `the command would run through ${program}, which cannot be found`;
  if (STANDARD_SHELLS.has(real) || real === (await realProgram(configured, searchPath))) return null;
  const shown = real === program ? program : `${program} (${real})`;
  return `the command would run through ${shown}, which is not a standard shell (bash, sh, dash, zsh, ksh or mksh in /bin or /usr/bin) and not the configured one`;
}
