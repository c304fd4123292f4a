import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ConfigLayerTable } from './config.schema.js';

/**
 * The repository a directory lies in: the nearest ancestor (or itself) holding `.git` (a
 * directory, or a file in worktrees and submodules); null outside any repository.
 */
export async function findRepositoryRoot(cwd: string): Promise<string | null> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (await exists(resolve(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** The project a directory belongs to: its repository's root, else the directory itself. */
export async function findProjectRoot(cwd: string): Promise<string> {
  return (await findRepositoryRoot(cwd)) ?? resolve(cwd);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Whether `[projects."<path>"] trust_level = "trusted"` covers the project. The most
 * specific entry decides: the cwd's own entry, then the project root's, so one folder
 * of a trusted repository can still be marked untrusted.
 */
export function isProjectTrusted(projects: ConfigLayerTable['projects'], projectRoot: string, cwd: string = projectRoot): boolean {
  const levels = new Map(Object.entries(projects ?? {}).map(([path, entry]) => [resolve(path), entry.trust_level]));
  const level = levels.get(resolve(cwd)) ?? levels.get(resolve(projectRoot));
  return level === 'trusted';
}
