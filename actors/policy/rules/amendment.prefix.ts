import { isAssignment } from './flags.js';
import { programBasename } from './match.js';
import { isWrapper } from './wrappers.js';

/** Tools whose first argument picks what they do; a rule for them names it too. */
const SUBCOMMAND_TOOLS = new Set([
  'git',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'cargo',
  'rustup',
  'go',
  'docker',
  'podman',
  'kubectl',
  'helm',
  'pip',
  'pip3',
  'uv',
  'poetry',
  'conda',
  'gh',
  'brew',
  'apt',
  'apt-get',
  'dnf',
  'yum',
  'dotnet',
  'terraform',
  'systemctl',
  'deno',
  'gradle',
  'mvn',
  'bundle',
  'gem',
  'composer',
  'swift',
  // Interpreters: the script they run plays the part of the subcommand.
  'python',
  'python3',
  'node',
  'ruby',
  'perl',
  'php',
  'bash',
  'sh',
  'zsh',
  'dash',
]);

/**
 * Programs for which a prefix rule would be too broad to offer: wrappers and xargs run
 * anything, and the rest destroy data depending on their options.
 */
const NEVER_OFFERED = new Set(['xargs', 'find', 'rm', 'chmod', 'chown', 'chgrp', 'kill', 'dd', 'sudo', 'su', 'doas', 'eval', 'source', '.']);

/**
 * The prefix offered as an allow rule after the user approves `argv`: the program, plus
 * the subcommand for tools that have them. Null when no prefix would be narrow enough
 * (wrappers, option-driven destroyers, a tool whose subcommand cannot be told).
 */
export function amendmentPrefix(argv: readonly string[]): string[] | null {
  const program = argv[0];
  if (program === undefined || program === '' || isAssignment(program)) return null;
  const name = programBasename(program);
  if (isWrapper(program) || NEVER_OFFERED.has(name)) return null;
  if (!SUBCOMMAND_TOOLS.has(name)) return [program];
  const sub = argv[1];
  if (sub === undefined || sub === '' || sub.startsWith('-')) return null;
  return [program, sub];
}
