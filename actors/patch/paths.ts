import { readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PROTECTED_SUBPATHS } from '../exec/index.js';
import { isInside } from '../policy/index.js';
import { PatchError } from './errors.js';
import type { PatchPlan } from './types.js';

/** As many links as Linux follows before ELOOP. */
const MAX_LINK_HOPS = 40;

/**
 * Where writing `target` really lands: every symlink followed, a dangling one included (a
 * write through it creates its target), and the parts that do not exist yet appended to the
 * real path of the deepest ancestor that does.
 */
export async function realLocation(target: string, hops = 0): Promise<string> {
  try {
    return await realpath(target);
  } catch {
    const parent = dirname(target);
    if (parent === target) return target;
    const entry = join(await realLocation(parent, hops), basename(target));
    const link = await readlink(entry).catch(() => null);
    if (link === null) return entry;
    if (hops >= MAX_LINK_HOPS) throw new PatchError(`too many levels of symbolic links at ${target}`, target);
    return realLocation(resolve(dirname(entry), link), hops + 1);
  }
}

/** The directory entry `target` names once the links in its parents are followed (the entry itself may be a link). */
export async function realEntry(target: string): Promise<string> {
  return join(await realLocation(dirname(target)), basename(target));
}

/** A file a patch writes (or removes) where the sandbox would not let a command write. */
export interface UnwritableTarget {
  /** As the patch names it, made absolute. */
  path: string;
  /** Where the write really lands. */
  real: string;
  /** The protected folder (`.git`, `.statecraft`, ...) it lies in, or null when it lies outside every writable root. */
  folder: string | null;
}

/**
 * The files a plan writes or removes that a sandboxed command could not: outside every
 * writable root once symlinks are followed, or inside a root's protected folders (which the
 * sandbox mounts read-only). `writableRoots` null means nothing is confined (danger-full-access).
 * This is the one check for the agent's patches and for `statecraft apply-patch`.
 */
export async function unwritableTargets(plan: PatchPlan, writableRoots: string[] | null): Promise<UnwritableTarget[]> {
  if (writableRoots === null) return [];
  const roots = await Promise.all(writableRoots.map((root) => realLocation(resolve(root))));
  // A protected folder is read-only wherever it leads, as a bind mount of it would be.
  const folders = (
    await Promise.all(
      roots.flatMap((root) =>
        PROTECTED_SUBPATHS.map(async (sub) => [
          { sub, path: join(root, sub) },
          { sub, path: await realLocation(join(root, sub)) },
        ]),
      ),
    )
  ).flat();
  const targets = plan.changes.flatMap((change) => [
    ...(change.writeTo ? [{ path: change.movePath ?? change.path, real: change.writeTo }] : []),
    ...(change.removes ? [{ path: change.path, real: change.removes }] : []),
  ]);
  const unwritable: UnwritableTarget[] = [];
  for (const { path, real } of targets) {
    if (!roots.some((root) => isInside(root, real))) unwritable.push({ path, real, folder: null });
    else {
      const folder = folders.find((candidate) => isInside(candidate.path, real));
      if (folder) unwritable.push({ path, real, folder: folder.sub });
    }
  }
  return unwritable;
}

/** One unwritable target as a person reads it: the path, where it really leads, and why it needs a yes. */
export function describeUnwritable(target: UnwritableTarget): string {
  const really = target.real === target.path ? '' : ` (really ${target.real})`;
  const why = target.folder === null ? 'outside the writable roots' : `in ${target.folder}, which stays read-only as in the sandbox`;
  return `${target.path}${really}: ${why}`;
}
