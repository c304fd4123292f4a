import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { unifiedDiff, type PatchPlan } from '../patch/index.js';

/** Git's object name for a file's content, so the diff reads like `git diff`. */
const blobId = (content: string) => createHash('sha1').update(`blob ${Buffer.byteLength(content)}\0`).update(content).digest('hex').slice(0, 7);

const readOrNull = (path: string) => readFile(path, 'utf8').catch(() => null);

/**
 * What a turn changed, relative to the turn's start: the first time a turn touches a file
 * its content is remembered, and the diff compares every remembered file with the disk now.
 */
export class TurnDiffTracker {
  private readonly baselines = new Map<string, Map<string, string | null>>();

  /** Remembers the content of every file a plan is about to write, unless the turn already did. */
  async before(turnId: string, plan: PatchPlan): Promise<void> {
    // One turn at a time per thread: a new turn starts from what is on disk now.
    for (const id of this.baselines.keys()) if (id !== turnId) this.baselines.delete(id);
    const baseline = this.baselines.get(turnId) ?? new Map<string, string | null>();
    this.baselines.set(turnId, baseline);
    for (const change of plan.changes) {
      for (const path of [change.path, change.movePath]) {
        if (path && !baseline.has(path)) baseline.set(path, path === change.path ? change.oldContent : await readOrNull(path));
      }
    }
  }

  /** The turn's changes so far as a git-style unified diff, paths relative to cwd; null when nothing differs. */
  async diff(turnId: string, cwd: string): Promise<string | null> {
    const baseline = this.baselines.get(turnId);
    if (!baseline) return null;
    const sections: string[] = [];
    for (const [path, before] of [...baseline].sort(([a], [b]) => a.localeCompare(b))) {
      const after = await readOrNull(path);
      if (before === after) continue;
      const rel = relative(cwd, path);
      const name = rel.startsWith('..') || isAbsolute(rel) ? path : rel;
      const header = [`diff --git a/${name} b/${name}`];
      if (before === null) header.push('new file mode 100644');
      if (after === null) header.push('deleted file mode 100644');
      const mode = before !== null && after !== null ? ' 100644' : '';
      header.push(`index ${before === null ? '0000000' : blobId(before)}..${after === null ? '0000000' : blobId(after)}${mode}`);
      header.push(before === null ? '--- /dev/null' : `--- a/${name}`, after === null ? '+++ /dev/null' : `+++ b/${name}`);
      sections.push(`${header.join('\n')}\n${unifiedDiff(before ?? '', after ?? '', { headers: false })}`);
    }
    return sections.length > 0 ? sections.join('') : null;
  }
}
