import type { ShellEnvironmentPolicy } from '../../protocol/index.js';

/** What `inherit = "core"` keeps: enough for a shell to find programs, home and temp. */
const CORE_VARIABLES = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'USER', 'USERNAME', 'TMPDIR', 'TEMP', 'TMP'];

/** Names that usually hold credentials; left out unless `ignore_default_excludes = true`. */
const DEFAULT_EXCLUDES = ['*KEY*', '*SECRET*', '*TOKEN*'];

/** A shell-style glob (`*`, `?`, `[...]`, `[!...]`) over a whole name, ignoring case. */
function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    const close = char === '[' ? glob.indexOf(']', i + 2) : -1;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (close !== -1) {
      const body = glob.slice(i + 1, close);
      const negated = body.startsWith('!');
      source += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

const matcher = (globs: string[]) => {
  const patterns = globs.map(globPattern);
  return (name: string) => patterns.some((pattern) => pattern.test(name));
};

/**
 * The environment a command starts with, built from statecraft's own in Codex's order:
 * inherit, the default excludes, `exclude`, `set`, then `include_only`.
 */
export function commandEnvironment(parent: NodeJS.ProcessEnv, policy: ShellEnvironmentPolicy): Record<string, string> {
  let entries = Object.entries(parent).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  if (policy.inherit === 'none') entries = [];
  if (policy.inherit === 'core') entries = entries.filter(([name]) => CORE_VARIABLES.includes(name));
  const dropped = matcher([...(policy.ignoreDefaultExcludes ? [] : DEFAULT_EXCLUDES), ...policy.exclude]);
  const env = Object.fromEntries(entries.filter(([name]) => !dropped(name)));
  Object.assign(env, policy.set);
  if (policy.includeOnly.length === 0) return env;
  const kept = matcher(policy.includeOnly);
  return Object.fromEntries(Object.entries(env).filter(([name]) => kept(name)));
}
