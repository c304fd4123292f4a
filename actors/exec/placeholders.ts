import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, statSync } from 'node:fs';

/**
 * Empty stand-ins for protected folders that do not exist yet (`.git`, `.statecraft` in a
 * writable root). A read-only bind needs something to bind, and a folder a command could
 * create would escape protection; so before a sandbox starts we make the missing ones, the
 * sandbox mounts them read-only like real ones, and after the last sandbox using one ends
 * we remove it again, so nothing stays in the user's folders.
 *
 * Placeholders carry the sticky bit, which nobody sets on such a folder by hand: an empty
 * sticky one is ours, whichever statecraft process (or crashed run) made it, and is adopted
 * and cleaned up like one we made.
 */
const PLACEHOLDER_MODE = 0o1755;
const STICKY = 0o1000;

/** Sandboxes of this process using each placeholder right now. */
const users = new Map<string, number>();

const isPlaceholder = (path: string) => {
  try {
    const info = statSync(path);
    return info.isDirectory() && (info.mode & STICKY) !== 0 && readdirSync(path).length === 0;
  } catch {
    return false;
  }
};

/**
 * Makes each missing path an empty placeholder folder (or adopts one left by another run)
 * and counts this use of it. Returns the placeholders counted, for `releasePlaceholders`.
 * A path we cannot create is skipped: the sandboxed command, with no more rights than we
 * have, cannot create it either.
 */
export function reservePlaceholders(paths: string[]): string[] {
  const reserved: string[] = [];
  for (const path of new Set(paths)) {
    const count = users.get(path);
    if (count === undefined && !isPlaceholder(path)) {
      try {
        mkdirSync(path, { mode: PLACEHOLDER_MODE });
      } catch {
        continue;
      }
    } else if (count !== undefined) {
      // Someone outside any sandbox removed it meanwhile: make it again.
      try {
        mkdirSync(path, { mode: PLACEHOLDER_MODE });
      } catch {
        // still there
      }
    }
    users.set(path, (count ?? 0) + 1);
    reserved.push(path);
  }
  return reserved;
}

/**
 * Ends one use of each placeholder; the last use removes it, unless another process's
 * sandbox still has it mounted (removing it would silently unmount it there) or someone
 * put something in it (then it is theirs now).
 */
export function releasePlaceholders(paths: string[]): void {
  const unused: string[] = [];
  for (const path of paths) {
    const count = (users.get(path) ?? 1) - 1;
    if (count > 0) users.set(path, count);
    else {
      users.delete(path);
      if (isPlaceholder(path)) unused.push(path);
    }
  }
  if (unused.length === 0) return;
  const mountedElsewhere = mountPointsInOtherNamespaces();
  for (const path of unused) {
    if (mountedElsewhere.has(mountinfoPath(path))) continue;
    try {
      rmdirSync(path);
    } catch {
      // gone already, or no longer empty
    }
  }
}

/** Mount points (as mountinfo spells them) of every mount namespace but ours: other sandboxes' mounts. */
function mountPointsInOtherNamespaces(): Set<string> {
  const points = new Set<string>();
  const seen = new Set([namespaceOf('self')]);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return points;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    const namespace = namespaceOf(pid);
    if (namespace === null || seen.has(namespace)) continue;
    seen.add(namespace);
    try {
      // Field 5 of each line is the mount point.
      for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) points.add(line.split(' ')[4] ?? '');
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return points;
}

function namespaceOf(pid: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** A path as mountinfo spells it: space, tab, newline and backslash as octal escapes. */
const mountinfoPath = (path: string) => path.replace(/[ \t\n\\]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
