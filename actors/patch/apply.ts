import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readlink, realpath, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PatchError } from './errors.js';
import type { ApplyOptions, PatchPlan } from './types.js';

/** What stood at a path before we touched it, so it can be put back. */
type Original = { kind: 'file'; data: Buffer; mode: number } | { kind: 'symlink'; target: string } | { kind: 'none' };

type Write = { target: string; content: string; temp: string | null };

async function snapshot(path: string): Promise<Original> {
  try {
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) return { kind: 'symlink', target: await readlink(path) };
    return { kind: 'file', data: await readFile(path), mode: stat.mode & 0o7777 };
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return { kind: 'none' };
    throw error;
  }
}

async function restore(path: string, original: Original): Promise<void> {
  await rm(path, { force: true });
  if (original.kind === 'file') {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, original.data, { mode: original.mode });
    await chmod(path, original.mode);
  } else if (original.kind === 'symlink') {
    await symlink(original.target, path);
  }
}

/** Writes to an existing symlink go to the file it points at, keeping the link. */
async function writeTarget(path: string): Promise<string> {
  try {
    return (await lstat(path)).isSymbolicLink() ? await realpath(path) : path;
  } catch {
    return path;
  }
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.statecraft-${randomBytes(6).toString('hex')}`);
}

/**
 * Carries out a plan all or nothing. New contents are first written to temp files beside
 * their targets, then renamed into place; deletions and move sources go last. On any failure
 * everything already done is undone from in-memory backups: replaced files get their old
 * bytes back, deleted files are recreated, temp files and directories we created are removed.
 */
export async function applyPlan(plan: PatchPlan, options: ApplyOptions = {}): Promise<void> {
  const writes: Write[] = [];
  const removals: string[] = [];
  for (const change of plan.changes) {
    if (change.kind === 'delete') {
      removals.push(change.path);
    } else if (change.kind === 'add') {
      writes.push({ target: change.path, content: change.newContent ?? '', temp: null });
    } else if (change.movePath !== null) {
      writes.push({ target: change.movePath, content: change.newContent ?? '', temp: null });
      removals.push(change.path);
    } else {
      writes.push({ target: await writeTarget(change.path), content: change.newContent ?? '', temp: null });
    }
  }

  const createdDirs: string[] = [];
  const done: Array<{ path: string; original: Original }> = [];
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
      const created = await mkdir(dirname(write.target), { recursive: true });
      if (created !== undefined) createdDirs.push(created);
      const original = await snapshot(write.target);
      write.temp = tempName(write.target);
      await writeFile(write.temp, write.content, { flag: 'wx', mode: original.kind === 'file' ? original.mode : 0o666 });
      if (original.kind === 'file') await chmod(write.temp, original.mode);
    }
    // Commit: rename into place, then remove what goes away.
    if (options.failAfter === 0) throw new PatchError('simulated failure before any file was written (failAfter)');
    for (const write of writes) {
      const original = await snapshot(write.target);
      await rename(write.temp!, write.target);
      write.temp = null;
      done.push({ path: write.target, original });
      step();
    }
    for (const path of removals) {
      const original = await snapshot(path);
      await unlink(path);
      done.push({ path, original });
      step();
    }
  } catch (error) {
    await rollback(writes, done, createdDirs);
    throw error;
  }
}

async function rollback(writes: Write[], done: Array<{ path: string; original: Original }>, createdDirs: string[]): Promise<void> {
  for (const write of writes) {
    if (write.temp !== null) await rm(write.temp, { force: true }).catch(() => undefined);
  }
  for (let i = done.length - 1; i >= 0; i--) {
    const { path, original } = done[i]!;
    await restore(path, original).catch(() => undefined);
  }
  for (let i = createdDirs.length - 1; i >= 0; i--) {
    await rm(createdDirs[i]!, { recursive: true, force: true }).catch(() => undefined);
  }
}
