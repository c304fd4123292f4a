import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Baseline, MeasureInput } from '../../machines/index.js';
import type { TurnDiffBase } from '../../protocol/index.js';
import { findRepositoryRoot } from '../config/index.js';
import type { PatchPlan } from '../patch/index.js';
import { unifiedDiff } from '../patch/unified.js';
import { isInside } from '../policy/patch.policy.js';
import { runGit } from './git.info.js';

/** Git's object name for a file's content, so the diff reads like `git diff`. */
const blobId = (content: string) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0`)
    .update(content)
    .digest('hex')
    .slice(0, 7);

const readOrNull = (path: string) => readFile(path, 'utf8').catch(() => null);

/**
 * Where git may write while the turn is measured: a scratch index and a scratch object store
 * that reads the repository's own objects, so the user's .git is never written to.
 */
interface Scratch {
  dir: string;
  env: Record<string, string>;
}

/**
 * Scratch folders live in statecraft's home, out of the sandbox's reach (commands may write
 * the temp dirs), each named for the process that made it so a later start can tell which
 * ones a crash left behind.
 */
const scratchParent = (home: string) => join(home, 'tmp');
const SCRATCH_NAME = /^turn-diff-(\d+)-/;

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: string }).code === 'EPERM';
  }
};

/** Removes the scratch folders of processes that are gone (a crash leaves its folders behind). */
export async function removeStaleTurnDiffs(home: string): Promise<void> {
  const names = await readdir(scratchParent(home)).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => {
        const pid = SCRATCH_NAME.exec(name)?.[1];
        return pid !== undefined && !processAlive(Number(pid));
      })
      .map((name) => rm(join(scratchParent(home), name), { recursive: true, force: true })),
  );
}

async function scratchFor(home: string, root: string): Promise<Scratch | null> {
  const objects = (await runGit(root, ['rev-parse', '--git-path', 'objects']))?.trim();
  if (!objects) return null;
  await mkdir(scratchParent(home), { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(scratchParent(home), `turn-diff-${process.pid}-`));
  await mkdir(join(dir, 'objects'), { recursive: true });
  return { dir, env: { GIT_OBJECT_DIRECTORY: join(dir, 'objects'), GIT_ALTERNATE_OBJECT_DIRECTORIES: resolve(root, objects) } };
}

/** The working tree at one moment as a tree object, written through a scratch index started from the real one. */
async function snapshotTree(root: string, realIndex: string, scratch: Scratch): Promise<string | null> {
  const index = join(scratch.dir, `index-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  try {
    // Starting from the real index lets git skip rehashing files whose stat data did not change.
    await copyFile(realIndex, index).catch(() => {});
    const env = { ...scratch.env, GIT_INDEX_FILE: index };
    if ((await runGit(root, ['add', '-A', '--', '.'], { env })) === null) return null;
    return (await runGit(root, ['write-tree'], { env }))?.trim() ?? null;
  } finally {
    await rm(index, { force: true });
  }
}

/**
 * The working tree as a turn begins: inside a git repository, a snapshot through a scratch
 * index and object store in statecraft's home (so commands' edits count too); null outside
 * any repository, where only the files patches write are followed (by their baselines).
 */
export async function beginTurnDiff(home: string, cwd: string): Promise<TurnDiffBase | null> {
  // Looking for .git costs a few stats; asking git costs processes.
  if ((await findRepositoryRoot(cwd)) === null) return null;
  const root = (await runGit(cwd, ['rev-parse', '--show-toplevel']).catch(() => null))?.trim();
  if (!root) return null;
  const index = resolve(root, (await runGit(root, ['rev-parse', '--git-path', 'index']))?.trim() ?? '.git/index');
  const scratch = await scratchFor(home, root);
  if (!scratch) return null;
  const tree = await snapshotTree(root, index, scratch);
  if (tree) return { root, index, tree, scratchDir: scratch.dir, scratchEnv: scratch.env };
  await rm(scratch.dir, { recursive: true, force: true });
  return null;
}

/** The turn's changes so far as a git-style unified diff; null when nothing differs. */
export async function measureTurnDiff({ base, baselines, cwd }: MeasureInput): Promise<string | null> {
  const sections: string[] = [];
  if (base) {
    const scratch = { dir: base.scratchDir, env: base.scratchEnv };
    const now = await snapshotTree(base.root, base.index, scratch);
    if (now && now !== base.tree) {
      const diff = await runGit(base.root, ['diff-tree', '-p', '--no-color', '--no-ext-diff', '--no-textconv', base.tree, now], { env: base.scratchEnv });
      if (diff) sections.push(diff.endsWith('\n') ? diff : `${diff}\n`);
    }
  }
  // Files in the repository are in its snapshot; the rest by what they held before.
  const outside = baselines.filter(({ path }) => !base || !isInside(base.root, path));
  for (const { path, content: before } of [...outside].sort((a, b) => a.path.localeCompare(b.path))) {
    const after = await readOrNull(path);
    if (before !== after) sections.push(fileDiff(cwd, path, before, after));
  }
  return sections.length > 0 ? sections.join('') : null;
}

/** Removes a turn's scratch store. */
export async function disposeTurnDiff(base: TurnDiffBase | null): Promise<void> {
  if (base) await rm(base.scratchDir, { recursive: true, force: true });
}

/** What the files a patch writes hold now, read before it writes them: the turn's diff starts from these. */
export async function patchBaselines(plan: PatchPlan): Promise<Baseline[]> {
  const baselines: Baseline[] = [];
  for (const change of plan.changes) {
    baselines.push({ path: change.path, content: change.oldContent });
    if (change.movePath) baselines.push({ path: change.movePath, content: await readOrNull(change.movePath) });
  }
  return baselines;
}

function fileDiff(cwd: string, path: string, before: string | null, after: string | null): string {
  const rel = relative(cwd, path);
  const name = rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  const header = [`diff --git a/${name} b/${name}`];
  if (before === null) header.push('new file mode 100644');
  if (after === null) header.push('deleted file mode 100644');
  const mode = before !== null && after !== null ? ' 100644' : '';
  header.push(`index ${before === null ? '0000000' : blobId(before)}..${after === null ? '0000000' : blobId(after)}${mode}`);
  header.push(before === null ? '--- /dev/null' : `--- a/${name}`, after === null ? '+++ /dev/null' : `+++ b/${name}`);
  return `${header.join('\n')}\n${unifiedDiff(before ?? '', after ?? '', { headers: false })}`;
}
