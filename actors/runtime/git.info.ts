import { findRepositoryRoot } from '../config/index.js';
import type { GitInfo } from '../../protocol/index.js';

/**
 * Settings through which a repository's config makes git run a program (or reach out),
 * overridden for every git statecraft runs: those run outside the sandbox, and a repository's
 * config is something the model can write.
 */
const NEUTRAL_CONFIG: Array<[string, string]> = [
  ['core.fsmonitor', 'false'],
  // Hooks git runs on its own (post-index-change after `git add`) are looked for in a directory that cannot hold any.
  ['core.hooksPath', '/dev/null'],
  ['core.pager', 'cat'],
  ['core.askPass', ''],
  ['core.sshCommand', ''],
  ['credential.helper', ''],
  ['protocol.allow', 'never'],
];

/**
 * The environment every git of the runtime gets: no system config, no prompts, the overrides
 * above as command-line config (GIT_CONFIG_KEY_n and _VALUE_n, which take any key as is, where
 * `-c key=value` would split a driver name holding `=`).
 */
function gitEnv(overrides: Array<[string, string]>, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    ...extra,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_CONFIG_COUNT: String(overrides.length),
  };
  overrides.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** execa loads with the first git a thread runs: outside a repository, none runs. */
async function git(cwd: string, args: string[], env: Record<string, string>, timeoutMs: number) {
  const { execa } = await import('execa');
  return execa('git', args, { cwd, env, reject: false, stdin: 'ignore', timeout: timeoutMs });
}

/**
 * Every filter driver the config defines, with its commands emptied and its `required` off:
 * git then takes file contents as they are. Driver names are the config's to choose, so they
 * are read first (reading config runs nothing).
 */
async function neutralFilters(cwd: string, env: Record<string, string>, timeoutMs: number): Promise<Array<[string, string]>> {
  const listed = await git(cwd, ['config', '--null', '--name-only', '--get-regexp', '^filter\\.'], gitEnv(NEUTRAL_CONFIG, env), timeoutMs);
  const drivers = new Set(
    String(listed.stdout)
      .split('\0')
      .filter((key) => key.startsWith('filter.') && key.lastIndexOf('.') > 'filter'.length)
      .map((key) => key.slice('filter.'.length, key.lastIndexOf('.'))),
  );
  return [...drivers].flatMap((name): Array<[string, string]> => [
    [`filter.${name}.clean`, ''],
    [`filter.${name}.smudge`, ''],
    [`filter.${name}.process`, ''],
    [`filter.${name}.required`, 'false'],
  ]);
}

/**
 * Subcommands that touch neither the index nor the working tree, so no filter driver can come
 * into play (reading the drivers costs a process). Anything that writes the index can: git
 * rehashes racily clean files through their filters then, `write-tree` included.
 */
const NO_WORKTREE_CONTENT = new Set(['rev-parse', 'symbolic-ref', 'remote', 'diff-tree']);

/**
 * Runs git in cwd and returns what it printed, or null when it failed or could not run.
 * Nothing the repository configures runs: see NEUTRAL_CONFIG and neutralFilters (diff
 * drivers and external diffs are for callers to turn off, with --no-textconv --no-ext-diff).
 */
export async function runGit(cwd: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string | null> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const extra = options.env ?? {};
  const filters = NO_WORKTREE_CONTENT.has(args[0] ?? '') ? [] : await neutralFilters(cwd, extra, timeoutMs);
  const overrides = [...NEUTRAL_CONFIG, ...filters];
  const result = await git(cwd, args, gitEnv(overrides, extra), timeoutMs);
  return result.exitCode === 0 ? String(result.stdout) : null;
}

/** A short answer from git: trimmed, null when empty; quick, since it only describes the thread. */
const gitAnswer = async (cwd: string, args: string[]): Promise<string | null> => (await runGit(cwd, args, { timeoutMs: 5_000 }))?.trim() || null;

/** Commit, branch and origin of the repository holding cwd; null outside a repository or without git. */
export async function readGitInfo(cwd: string): Promise<GitInfo | null> {
  // Looking for .git costs a few stats; asking git costs processes.
  if ((await findRepositoryRoot(cwd)) === null) return null;
  const sha = await gitAnswer(cwd, ['rev-parse', 'HEAD']).catch(() => null);
  const inside = sha ?? (await gitAnswer(cwd, ['rev-parse', '--is-inside-work-tree']).catch(() => null));
  if (!inside) return null;
  const [branch, originUrl] = await Promise.all([
    gitAnswer(cwd, ['symbolic-ref', '--short', 'HEAD']).catch(() => null),
    gitAnswer(cwd, ['remote', 'get-url', 'origin']).catch(() => null),
  ]);
  return { sha, branch, originUrl };
}
