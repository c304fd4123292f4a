import { realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isInside } from '../policy/index.js';

/** The real path of `target`, resolving symlinks in its deepest existing ancestor. */
async function realLocation(target: string): Promise<string> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return target;
      missing.push(current.slice(parent.length).replace(/^[/\\]+/, ''));
      current = parent;
    }
  }
}

export type ResolvedPath = { path: string; outsideCwd: boolean };

/**
 * Resolves a patch path against cwd. Nothing is refused here; a path is flagged when it lies
 * outside cwd either as written (absolute elsewhere, or climbing out with `..`) or once
 * symlinks are followed.
 */
export async function resolvePatchPath(cwd: string, spelled: string): Promise<ResolvedPath> {
  const root = resolve(cwd);
  const path = resolve(root, spelled);
  if (!isInside(root, path)) return { path, outsideCwd: true };
  const [realRoot, realTarget] = await Promise.all([realLocation(root), realLocation(path)]);
  return { path, outsideCwd: !isInside(realRoot, realTarget) };
}
