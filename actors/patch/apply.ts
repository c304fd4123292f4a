import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readlink, rename, rmdir, symlink, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { PatchError } from './errors.js';
import { DirectoryHolder, type HeldDirectory } from './held.dir.js';
import type { ApplyOptions, PatchPlan } from './types.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** A directory entry the patch touches: a name in a held directory. */
type Slot = { dir: HeldDirectory; name: string };

/** What stood at a slot before we touched it, so it can be put back. */
type Original = { kind: 'file'; data: Buffer; mode: number } | { kind: 'symlink'; target: string } | { kind: 'none' };

const isMissing = (error: unknown) => (error as { code?: string }).code === 'ENOENT';

async function snapshot(slot: Slot): Promise<Original> {
  const path = await slot.dir.at(slot.name);
  try {
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) return { kind: 'symlink', target: await readlink(path) };
    // No following: a link swapped in since lstat fails the read instead of being read through.
    const file = await open(path, O_RDONLY | O_NOFOLLOW);
    try {
      return { kind: 'file', data: await file.readFile(), mode: stat.mode & 0o7777 };
    } finally {
      await file.close();
    }
  } catch (error) {
    if (isMissing(error)) return { kind: 'none' };
    throw error;
  }
}

/** Creates a new file at the slot; it must not exist, and a symlink there is never followed. */
async function createFile(slot: Slot, data: string | Buffer, mode: number | null): Promise<void> {
  const file = await open(await slot.dir.at(slot.name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode ?? 0o666);
  try {
    await file.writeFile(data);
    // The umask applies at creation; an existing file's mode is kept exactly.
    if (mode !== null) await file.chmod(mode);
  } finally {
    await file.close();
  }
}

async function restore(slot: Slot, original: Original): Promise<void> {
  await unlink(await slot.dir.at(slot.name)).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
  if (original.kind === 'file') await createFile(slot, original.data, original.mode);
  else if (original.kind === 'symlink') await symlink(original.target, await slot.dir.at(slot.name));
}

const tempName = (name: string) => `.${name}.statecraft-${randomBytes(6).toString('hex')}`;

/**
 * Carries out a plan all or nothing, at the real locations the plan resolved. Each directory
 * written in is opened first and checked to still be where the plan found it (a symlink
 * swapped in since fails the patch), and every write goes through that open directory. New
 * contents are first written to temp files beside their targets, then renamed into place;
 * deletions and move sources go last. On any failure everything already done is undone from
 * in-memory backups: replaced files get their old bytes back, deleted files are recreated,
 * temp files and directories we created are removed.
 */
export async function applyPlan(plan: PatchPlan, options: ApplyOptions = {}): Promise<void> {
  const holder = new DirectoryHolder();
  try {
    await applyHeld(plan, holder, options);
  } finally {
    await holder.release();
  }
}

async function applyHeld(plan: PatchPlan, holder: DirectoryHolder, options: ApplyOptions): Promise<void> {
  const writes = plan.changes.flatMap((change) => (change.writeTo ? [{ target: change.writeTo, content: change.newContent ?? '' }] : []));
  const removals = plan.changes.flatMap((change) => (change.removes ? [change.removes] : []));
  const slotOf = async (path: string, create: boolean): Promise<Slot> => ({ dir: await holder.hold(dirname(path), create), name: basename(path) });

  const staged: Array<{ slot: Slot; temp: Slot | null }> = [];
  const done: Array<{ slot: Slot; original: Original }> = [];
  let steps = 0;
  const step = (): void => {
    steps++;
    if (steps === options.failAfter) {
      throw new PatchError(`simulated failure after ${steps} file(s) (failAfter)`);
    }
  };

  try {
    // Stage: every new content sits in a temp file next to its target.
    for (const write of writes) {
      const slot = await slotOf(write.target, true);
      const original = await snapshot(slot);
      const temp = { dir: slot.dir, name: tempName(slot.name) };
      await createFile(temp, write.content, original.kind === 'file' ? original.mode : null);
      staged.push({ slot, temp });
    }
    // Commit: rename into place (replacing whatever entry is there, never writing through it), then remove what goes away.
    if (options.failAfter === 0) throw new PatchError('simulated failure before any file was written (failAfter)');
    for (const entry of staged) {
      const original = await snapshot(entry.slot);
      await rename(await entry.temp!.dir.at(entry.temp!.name), await entry.slot.dir.at(entry.slot.name));
      entry.temp = null;
      done.push({ slot: entry.slot, original });
      step();
    }
    for (const path of removals) {
      const slot = await slotOf(path, false);
      const original = await snapshot(slot);
      await unlink(await slot.dir.at(slot.name));
      done.push({ slot, original });
      step();
    }
  } catch (error) {
    await rollback(staged, done, holder.created);
    throw error;
  }
}

async function rollback(
  staged: Array<{ temp: Slot | null }>,
  done: Array<{ slot: Slot; original: Original }>,
  created: Array<{ parent: HeldDirectory; name: string }>,
): Promise<void> {
  for (const { temp } of staged) {
    if (temp !== null)
      await temp.dir
        .at(temp.name)
        .then(unlink)
        .catch(() => undefined);
  }
  for (let i = done.length - 1; i >= 0; i--) {
    const { slot, original } = done[i]!;
    await restore(slot, original).catch(() => undefined);
  }
  for (let i = created.length - 1; i >= 0; i--) {
    const { parent, name } = created[i]!;
    // Empty by now unless someone else put something there, which stays.
    await parent
      .at(name)
      .then((path) => rmdir(path))
      .catch(() => undefined);
  }
}
