import { execa } from 'execa';
import type { GitInfo } from '../../protocol/index.js';

const git = async (cwd: string, args: string[]): Promise<string | null> => {
  const result = await execa('git', args, { cwd, reject: false, timeout: 5_000, stdin: 'ignore' });
  return result.exitCode === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : null;
};

/** Commit, branch and origin of the repository holding cwd; null outside a repository or without git. */
export async function readGitInfo(cwd: string): Promise<GitInfo | null> {
  const sha = await git(cwd, ['rev-parse', 'HEAD']).catch(() => null);
  const inside = sha ?? (await git(cwd, ['rev-parse', '--is-inside-work-tree']).catch(() => null));
  if (!inside) return null;
  const [branch, originUrl] = await Promise.all([
    git(cwd, ['symbolic-ref', '--short', 'HEAD']).catch(() => null),
    git(cwd, ['remote', 'get-url', 'origin']).catch(() => null),
  ]);
  return { sha, branch, originUrl };
}
