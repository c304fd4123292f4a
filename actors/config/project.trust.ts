import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ConfigLayerTable } from './config.schema.js';

/**
 * The repository a directory lies in: the nearest ancestor (or itself) holding a `.git` that
 * git would take for one (a directory with a HEAD, or a file in worktrees and submodules);
 * null outside any repository. An empty `.git`, such as the sandbox's read-only placeholder,
 * is passed over as git passes over it.
 */
export async function findRepositoryRoot(cwd: string): Promise<string | null> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (await isGitDir(resolve(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

async function isGitDir(path: string): Promise<boolean> {
  const found = await stat(path).catch(() => null);
  if (!found) return false;
  return found.isFile() || (found.isDirectory() && (await stat(resolve(path, 'HEAD')).catch(() => null)) !== null);
}

/** The project a directory belongs to: its repository's root, else the directory itself. */
export async function findProjectRoot(cwd: string): Promise<string> {
  return (await findRepositoryRoot(cwd)) ?? resolve(cwd);
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
