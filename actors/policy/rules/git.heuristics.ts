import { beforeDoubleDash, hasLongFlag, hasShortFlag } from './flags.js';
import { dangerous, safe, unknown, type Classification } from './verdict.js';

/** Global options that do not change what git runs or which repository it reads. */
const HARMLESS_GLOBALS = new Set([
  '--no-pager',
  '-P',
  '--no-replace-objects',
  '--literal-pathspecs',
  '--glob-pathspecs',
  '--noglob-pathspecs',
  '--icase-pathspecs',
  '--no-optional-locks',
  '--bare',
  '--no-advice',
]);

const READ_ONLY = new Set(['status', 'log', 'diff', 'show', 'branch', 'rev-parse', 'ls-files', 'grep', 'blame']);

/** Options of `git branch` that only change how the list is shown. */
const BRANCH_LIST_FLAGS = new Set([
  '-a',
  '--all',
  '-r',
  '--remotes',
  '-v',
  '-vv',
  '--verbose',
  '--show-current',
  '-l',
  '--list',
  '--no-color',
  '--no-column',
  '-i',
  '--ignore-case',
  '--omit-empty',
  '--no-abbrev',
  '--contains',
  '--no-contains',
  '--merged',
  '--no-merged',
  '--points-at',
]);
const BRANCH_FLAGS_WITH_VALUE = new Set(['--contains', '--no-contains', '--merged', '--no-merged', '--points-at']);
const BRANCH_FLAGS_WITH_EQUALS = [
  '--sort=',
  '--format=',
  '--color',
  '--column=',
  '--abbrev=',
  '--contains=',
  '--no-contains=',
  '--merged=',
  '--no-merged=',
  '--points-at=',
];

function branchListsOnly(args: readonly string[]): boolean {
  const listing = args.includes('-l') || args.includes('--list');
  let expectValue = false;
  for (const a of args) {
    if (expectValue && !a.startsWith('-')) {
      expectValue = false;
      continue;
    }
    expectValue = false;
    if (BRANCH_LIST_FLAGS.has(a)) {
      expectValue = BRANCH_FLAGS_WITH_VALUE.has(a);
      continue;
    }
    if (BRANCH_FLAGS_WITH_EQUALS.some((p) => a.startsWith(p))) continue;
    if (a.startsWith('-')) return false; // -d, -D, -m, -c, -u, --set-upstream-to, ...
    if (!listing) return false; // a name without --list creates a branch
  }
  return true;
}

function destructive(sub: string, args: readonly string[]): Classification | null {
  switch (sub) {
    case 'reset':
      return hasLongFlag(args, '--hard') ? dangerous('git reset --hard throws away uncommitted work') : null;
    case 'clean':
      return hasShortFlag(args, 'f') || hasLongFlag(args, '--force') ? dangerous('git clean -f deletes untracked files') : null;
    case 'push':
      if (hasShortFlag(args, 'fd') || hasLongFlag(args, '--force', '--force-with-lease', '--mirror', '--delete') || args.some((a) => a.startsWith('+')))
        return dangerous('a forced or deleting git push can destroy history on the remote');
      return null;
    case 'checkout':
      if (hasShortFlag(args, 'f') || hasLongFlag(args, '--force') || args.includes('.') || args.includes(':/'))
        return dangerous('git checkout of paths throws away uncommitted changes');
      return null;
    case 'restore': {
      const stagedOnly = (args.includes('--staged') || args.includes('-S')) && !args.includes('--worktree') && !args.includes('-W');
      return !stagedOnly && (args.includes('.') || args.includes(':/')) ? dangerous('git restore . throws away uncommitted changes') : null;
    }
    default:
      return null;
  }
}

/** Options that make a transport run a program (`--upload-pack`), per subcommand. */
const TRANSPORT_SUBCOMMANDS = new Set(['fetch', 'pull', 'clone', 'ls-remote', 'push', 'archive', 'send-pack', 'fetch-pack', 'remote']);

/** A subcommand or option that runs a command the caller names. */
function runsNamedCommand(sub: string, args: readonly string[]): Classification | null {
  const opts = beforeDoubleDash(args);
  if (TRANSPORT_SUBCOMMANDS.has(sub)) {
    const shortU = (sub === 'clone' || sub === 'ls-remote') && hasShortFlag(opts, 'u');
    if (shortU || hasLongFlag(opts, '--upload-pack', '--receive-pack', '--exec'))
      return dangerous(`git ${sub} --upload-pack/--receive-pack/--exec runs the program it names`);
  }
  if (sub === 'submodule' && opts.includes('foreach')) return dangerous('git submodule foreach runs a command in every submodule');
  if (sub === 'rebase' && (hasShortFlag(opts, 'x') || hasLongFlag(opts, '--exec'))) return dangerous('git rebase --exec runs a command after each commit');
  if (sub === 'bisect' && opts[0] === 'run') return dangerous('git bisect run runs a command at each step');
  if (sub === 'difftool' && (hasShortFlag(opts, 'x') || hasLongFlag(opts, '--extcmd'))) return dangerous('git difftool --extcmd runs the command it names');
  if (sub === 'filter-branch') return dangerous('git filter-branch rewrites history and runs the filters it is given');
  if (sub === 'grep' && (opts.some((a) => /^-[A-Za-z]*O/.test(a)) || hasLongFlag(opts, '--open-files-in-pager')))
    return dangerous('git grep -O runs a pager program on the matching files');
  return null;
}

/** The heuristics for `git ...` (argv[0] is git). */
export function classifyGit(argv: readonly string[]): Classification {
  let i = 1;
  let risky: string | null = null;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    if (a === '-C') i += 2;
    else if (HARMLESS_GLOBALS.has(a)) i += 1;
    else if (a === '--version' || a === '--help' || a === '--exec-path') return safe('git only prints information');
    else if (a === '-c' || a === '--config-env' || a.startsWith('--config-env=') || a.startsWith('--exec-path='))
      return dangerous(
        `git ${a === '-c' ? '-c' : a.split('=')[0]} sets configuration or helpers, which can run commands (core.sshCommand, aliases, pagers, hooks)`,
      );
    else {
      // --git-dir, --work-tree, --namespace, -p, ...
      risky ??= a;
      i += a === '--git-dir' || a === '--work-tree' || a === '--namespace' ? 2 : 1;
    }
  }
  const sub = argv[i];
  if (sub === undefined) return unknown('git without a subcommand');
  const args = argv.slice(i + 1);
  const harm = destructive(sub, args) ?? runsNamedCommand(sub, args);
  if (harm) return harm;
  if (risky !== null) return unknown(`git option ${risky} changes what git runs or which repository it uses`);
  if (!READ_ONLY.has(sub)) return unknown(`git ${sub} is not known to be read-only`);
  const opts = beforeDoubleDash(args);
  if (hasLongFlag(opts, '--output', '--ext-diff')) return unknown(`git ${sub} with --output or --ext-diff writes files or runs a diff program`);
  if (sub === 'branch' && !branchListsOnly(args)) return unknown('git branch with these arguments changes branches');
  return safe(`git ${sub} only reads the repository`);
}
