import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Runs git in cwd as a throwaway identity (tests commit) and returns what it printed. */
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8' });

/** Makes cwd a repository whose first commit holds everything in it. */
export function commitAll(cwd: string): void {
  git(cwd, 'init', '-q');
  git(cwd, 'add', '.');
  git(cwd, 'commit', '-qm', 'start');
}

/** Marks dir as a repository's root the way git recognises one (a .git with a HEAD), without running git. */
export async function markRepository(dir: string): Promise<void> {
  await mkdir(join(dir, '.git'), { recursive: true });
  await writeFile(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
}
