import { beforeDoubleDash, hasLongFlag, hasShortFlag, isShortCluster, shortOptionValues } from './flags.js';
import { dangerous, unknown, type Classification } from './verdict.js';

/** tar options that run a program: a filter for each file, a compressor, a checkpoint action, a volume script, a remote shell. */
const TAR_RUNNERS = ['--to-command', '--use-compress-program', '--checkpoint-action', '--info-script', '--new-volume-script', '--rsh-command', '--rmt-command'];

function tar(args: readonly string[]): Classification {
  const words = beforeDoubleDash(args);
  // Old-style `tar xIf ...`: the first word's letters are options.
  const oldStyle = words[0] !== undefined && !words[0].startsWith('-') && /[IF]/.test(words[0]);
  const short = words.some((w) => isShortCluster(w) && /^-[A-Za-z]*[IF]/.test(w));
  if (oldStyle || short || hasLongFlag(words, ...TAR_RUNNERS))
    return dangerous('tar runs a program named in its options (--to-command, -I, --checkpoint-action, ...)');
  return unknown('tar writes or extracts files');
}

function rsync(args: readonly string[]): Classification {
  if (hasShortFlag(args, 'e') || hasLongFlag(args, '--rsh', '--rsync-path')) return dangerous('rsync -e/--rsh/--rsync-path runs the program it names');
  return unknown('rsync copies files');
}

/** ssh_config keys whose value runs a local command, or reads more of them. */
const SSH_RUNNING_KEYS = new Set(['proxycommand', 'localcommand', 'permitlocalcommand', 'knownhostscommand', 'match', 'include']);
const SSH_VALUE_LETTERS: Record<string, string> = { ssh: 'BbcDEeFIiJLlmOoPpQRSWw', scp: 'cDFiJloPSX', sftp: 'BbcDFiJloPRSs' };

function sshFamily(name: 'ssh' | 'scp' | 'sftp', args: readonly string[]): Classification {
  for (const [letter, value] of shortOptionValues(args, SSH_VALUE_LETTERS[name]!)) {
    if (letter === 'o' && SSH_RUNNING_KEYS.has(value.split(/[=\s]/)[0]!.toLowerCase()))
      return dangerous(`${name} -o ${value.split(/[=\s]/)[0]} runs a local command`);
    if (letter === 'F') return dangerous(`${name} -F reads its options, which can run commands, from ${value}`);
    if (letter === 'S' || (name === 'sftp' && (letter === 'D' || letter === 'b'))) return dangerous(`${name} -${letter} runs a program or commands it names`);
  }
  return unknown(`${name} connects to another machine`);
}

function pager(name: string, args: readonly string[]): Classification {
  // `+CMD` is run as a command at start; `!` and `|` in it reach the shell.
  if (args.some((a) => a.startsWith('+') && /[!|]/.test(a))) return dangerous(`${name} +! runs a shell command`);
  if (hasShortFlag(args, 'oO') || hasLongFlag(args, '--log-file', '--LOG-FILE')) return unknown(`${name} -o writes a file`);
  return unknown(`${name} is interactive and can run commands`);
}

function man(args: readonly string[]): Classification {
  if (shortOptionValues(args, 'PHMmLCSsEeIiKRrTtwWp').some(([letter]) => letter === 'P' || letter === 'H') || hasLongFlag(args, '--pager', '--html'))
    return dangerous('man -P/-H runs the program it names');
  return unknown('man runs a pager');
}

function editor(name: string, args: readonly string[]): Classification {
  if (args.some((a) => a.startsWith('+') || ['-c', '--cmd', '-S', '-s'].includes(a) || a.startsWith('--cmd=')))
    return dangerous(`${name} -c/+cmd runs editor commands, which can run shell commands`);
  return unknown(`${name} edits files`);
}

function zip(args: readonly string[]): Classification {
  if (args.includes('-TT') || hasLongFlag(args, '--unzip-command')) return dangerous('zip -TT runs the command it names');
  return unknown('zip writes an archive');
}

const EDITORS = new Set(['vi', 'vim', 'nvim', 'view', 'ex', 'gvim', 'vimdiff', 'rvim']);

/**
 * Tools that run a command named in their options (`tar --to-command`, `rsync -e`,
 * `ssh -o ProxyCommand`, `less +!`, ...): what the heuristics say about them, or null for
 * other programs.
 */
export function classifyExecOptions(program: string, args: readonly string[]): Classification | null {
  switch (program) {
    case 'tar':
    case 'gtar':
    case 'bsdtar':
      return tar(args);
    case 'rsync':
      return rsync(args);
    case 'ssh':
    case 'scp':
    case 'sftp':
      return sshFamily(program, args);
    case 'less':
    case 'more':
    case 'most':
      return pager(program, args);
    case 'man':
      return man(args);
    case 'zip':
      return zip(args);
    default:
      return EDITORS.has(program) ? editor(program, args) : null;
  }
}
