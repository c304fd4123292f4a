import { execa } from 'execa';
import type { GitInfo } from '../../protocol/index.js';

/** Runs git in cwd and returns what it printed, or null when it failed or could not run. */
export async function runGit(cwd: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string | null> {
  const result = await execa('git', args, { cwd, env: options.env ?? {}, reject: false, stdin: 'ignore', timeout: options.timeoutMs ?? 30_000 });
  return result.exitCode === 0 ? String(result.stdout) : null;
}

/** A short answer from git: trimmed, null when empty; quick, since it only describes the thread. */
const git = async (cwd: string, args: string[]): Promise<string | null> => (await runGit(cwd, args, { timeoutMs: 5_000 }))?.trim() || null;

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
