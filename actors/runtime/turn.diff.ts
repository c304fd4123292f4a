import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { findRepositoryRoot } from '../config/index.js';
import { unifiedDiff, type PatchPlan } from '../patch/index.js';
import { isInside } from '../policy/index.js';
import { runGit } from './git.info.js';

/** Git's object name for a file's content, so the diff reads like `git diff`. */
const blobId = (content: string) => createHash('sha1').update(`blob ${Buffer.byteLength(content)}\0`).update(content).digest('hex').slice(0, 7);

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
 * What a turn changed, relative to the turn's start. Inside a git repository a snapshot of
 * the working tree is taken when the turn starts, so commands' edits count too; files a
 * patch writes outside any repository are remembered the first time the turn touches them.
 */
export class TurnDiffTracker {
  private repo: { root: string; index: string; tree: string; scratch: Scratch } | null = null;
  private readonly baselines = new Map<string, string | null>();
  private cwd = process.cwd();
  private lastReported: string | null = null;

  /** `home` is statecraft's home, where the scratch folders go. */
  constructor(private readonly home: string) {}

  /** Starts a turn: forgets the last one and snapshots the repository holding cwd, if any. */
  async beginTurn(cwd: string): Promise<void> {
    this.cwd = cwd;
    this.baselines.clear();
    this.lastReported = null;
    if (this.repo) await rm(this.repo.scratch.dir, { recursive: true, force: true });
    this.repo = null;
    if ((await findRepositoryRoot(cwd)) === null) return;
    const root = (await runGit(cwd, ['rev-parse', '--show-toplevel']).catch(() => null))?.trim();
    if (!root) return;
    const index = resolve(root, (await runGit(root, ['rev-parse', '--git-path', 'index']))?.trim() ?? '.git/index');
    const scratch = await scratchFor(this.home, root);
    if (!scratch) return;
    const tree = await snapshotTree(root, index, scratch);
    if (tree) this.repo = { root, index, tree, scratch };
    else await rm(scratch.dir, { recursive: true, force: true });
  }

  /** Remembers the files a plan is about to write that no repository snapshot covers. */
  async before(plan: PatchPlan): Promise<void> {
    for (const change of plan.changes) {
      for (const path of [change.path, change.movePath]) {
        if (!path || this.baselines.has(path) || (this.repo && isInside(this.repo.root, path))) continue;
        this.baselines.set(path, path === change.path ? change.oldContent : await readOrNull(path));
      }
    }
  }

  /** The turn's changes so far as a git-style diff; null when there are none, or nothing new since the last report. */
  async changedSinceLastReport(): Promise<string | null> {
    const diff = await this.diff();
    if (diff === null || diff === this.lastReported) return null;
    this.lastReported = diff;
    return diff;
  }

  /** The turn's changes so far as a git-style unified diff; null when nothing differs. */
  async diff(): Promise<string | null> {
    const sections: string[] = [];
    if (this.repo) {
      const now = await snapshotTree(this.repo.root, this.repo.index, this.repo.scratch);
      if (now && now !== this.repo.tree) {
        const diff = await runGit(this.repo.root, ['diff-tree', '-p', '--no-color', '--no-ext-diff', '--no-textconv', this.repo.tree, now], { env: this.repo.scratch.env });
        if (diff) sections.push(diff.endsWith('\n') ? diff : `${diff}\n`);
      }
    }
    for (const [path, before] of [...this.baselines].sort(([a], [b]) => a.localeCompare(b))) {
      const after = await readOrNull(path);
      if (before === after) continue;
      sections.push(this.fileDiff(path, before, after));
    }
    return sections.length > 0 ? sections.join('') : null;
  }

  private fileDiff(path: string, before: string | null, after: string | null): string {
    const rel = relative(this.cwd, path);
    const name = rel.startsWith('..') || isAbsolute(rel) ? path : rel;
    const header = [`diff --git a/${name} b/${name}`];
    if (before === null) header.push('new file mode 100644');
    if (after === null) header.push('deleted file mode 100644');
    const mode = before !== null && after !== null ? ' 100644' : '';
    header.push(`index ${before === null ? '0000000' : blobId(before)}..${after === null ? '0000000' : blobId(after)}${mode}`);
    header.push(before === null ? '--- /dev/null' : `--- a/${name}`, after === null ? '+++ /dev/null' : `+++ b/${name}`);
    return `${header.join('\n')}\n${unifiedDiff(before ?? '', after ?? '', { headers: false })}`;
  }

  /** Removes the scratch store; the thread is closing. */
  async dispose(): Promise<void> {
    if (this.repo) await rm(this.repo.scratch.dir, { recursive: true, force: true });
    this.repo = null;
  }
}
