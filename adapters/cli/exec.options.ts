import { InvalidArgumentError, Option, type Command, type OptionValues } from '@commander-js/extra-typings';

/** Appends each occurrence of a repeatable option. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** `--image a.png,b.png` and `--image a.png b.png` both name two images, as Codex reads them. */
const collectPaths = (value: string, previous: string[]) => [...previous, ...value.split(',').filter((path) => path !== '')];

/**
 * Flags Codex's `exec` accepts that mean nothing to statecraft. They are accepted so that
 * scripts and SDKs written for Codex keep working; `note` is said on stderr when using the flag
 * would lead someone to expect a behaviour statecraft does not have.
 */
const CODEX_ONLY_FLAGS: Array<{ flags: string; note?: string }> = [
  { flags: '--thread-source <source>' },
  { flags: '--cyber-access-program <program>' },
  { flags: '--trust' },
  { flags: '--dangerously-bypass-hook-trust' },
  { flags: '--all' },
  { flags: '--worktree', note: 'statecraft works in the directory itself, it creates no worktree' },
  { flags: '--oss', note: 'choose a local provider with -c model_provider="ollama" (or "lmstudio")' },
  { flags: '--local-provider <provider>', note: 'choose a local provider with -c model_provider="ollama" (or "lmstudio")' },
  { flags: '--approve-for-me', note: 'approvals follow -a/--ask-for-approval' },
  { flags: '--ignore-user-config', note: 'the user config.toml is read as usual' },
  { flags: '--ignore-rules', note: 'the rule files apply as usual' },
  { flags: '--strict-config', note: 'unknown config keys are warnings' },
];

const COMPATIBILITY = 'Accepted for Codex compatibility, no effect here:';

/** The option's attribute name as commander stores it (`--ignore-rules` → ignoreRules). */
const attributeOf = (flags: string) => new Option(flags).attributeName();

/** What to tell the user about Codex-only flags they passed that change nothing here. */
export function codexOnlyNotes(flags: OptionValues): string[] {
  return CODEX_ONLY_FLAGS.filter(({ flags: spec, note }) => note && flags[attributeOf(spec)] !== undefined).map(
    ({ flags: spec, note }) => `${spec.split(' ')[0]} has no effect in statecraft: ${note}`,
  );
}

/** A port to serve on: 0 (any free one) to 65535. */
export function portNumber(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port number from 0 to 65535');
  return port;
}

/**
 * `--inspect[=PORT]`: serve the live inspector of this process on 127.0.0.1 (any free port when
 * none is given). Written with a space, the word after it is read as the port, so a prompt after
 * a bare `--inspect` is refused with a hint.
 */
export const inspectOption = () =>
  new Option('--inspect [port]', "serve a live view of this process's state machines on 127.0.0.1 (--inspect=PORT; default any free port)")
    .preset('0')
    .argParser((value: string) => {
      try {
        return portNumber(value);
      } catch {
        throw new InvalidArgumentError(`not a port number: write --inspect=PORT (0 to 65535), or give the prompt before a bare --inspect`);
      }
    });

/** The flags that choose a thread's settings, shared by `exec` and the interactive UI. */
export function withThreadOptions<A extends unknown[], O extends OptionValues>(command: Command<A, O>) {
  return command
    .option('-m, --model <model>', 'the model to use')
    .option('-C, --cd <dir>', 'the directory the agent works in')
    .option('-c, --config <key=value>', 'override a config key (value parsed as TOML, else a string); repeatable', collect, [] as string[])
    .option('--enable <feature>', 'turn a feature on (-c features.<name>=true); repeatable', collect, [] as string[])
    .option('--disable <feature>', 'turn a feature off (-c features.<name>=false); repeatable', collect, [] as string[])
    .option('-p, --profile <name>', 'the config profile to use')
    .addOption(new Option('-s, --sandbox <mode>', 'where commands may write').choices(['read-only', 'workspace-write', 'danger-full-access'] as const))
    .addOption(
      new Option('-a, --ask-for-approval <policy>', 'when to ask before running a command (default without a terminal: never)').choices([
        'untrusted',
        'on-failure',
        'on-request',
        'never',
      ] as const),
    )
    .option('--add-dir <dir>', 'an extra writable directory for this run; repeatable', collect, [] as string[])
    .option('-i, --image <file...>', 'attach image files to the prompt (comma-separated or repeated)', collectPaths, [] as string[])
    .option('--full-auto', 'work without asking: sandbox workspace-write, approval on-request', false)
    .option('--dangerously-bypass-approvals-and-sandbox', 'run every command unconfined and never ask (only inside an outer sandbox)', false)
    .addOption(new Option('--yolo', 'the short name of --dangerously-bypass-approvals-and-sandbox').default(false).hideHelp())
    .option('--ephemeral', 'do not record this thread', false)
    .option('--trace', 'also record how the state machines ran, beside the rollout, for `statecraft inspect` (-c trace=true)', false);
}

/** The flags `exec` and `exec resume` share; Codex's clients put them before or after `resume ID`. */
export function withExecOptions<A extends unknown[], O extends OptionValues>(command: Command<A, O>) {
  const withFlags = withThreadOptions(command)
    .option('--json', 'print JSONL events (thread.started first) instead of a transcript', false)
    .addOption(new Option('--experimental-json', 'the older name of --json').default(false).hideHelp())
    .option('--output-schema <file>', "a JSON Schema file the agent's final answer must follow")
    .option('--skip-git-repo-check', 'allow running outside a git repository', false)
    .option('-o, --output-last-message <file>', "write the agent's last message to this file")
    .addOption(inspectOption())
    .addOption(
      new Option('--color <when>', 'colour the transcript (default: auto, when stdout and stderr are terminals)').choices(['always', 'never', 'auto'] as const),
    );
  for (const { flags } of CODEX_ONLY_FLAGS) withFlags.addOption(new Option(flags).helpGroup(COMPATIBILITY));
  return withFlags;
}

/**
 * `exec [options] resume ID [options]`: the options given on either side of `resume`, as one
 * set. Lists join in command-line order, a switch is on when either side set it, and for a
 * single value the one after `resume` wins.
 */
export function mergeExecFlags<O extends OptionValues>(before: OptionValues, after: O): O {
  const merged: OptionValues = { ...before };
  for (const [key, value] of Object.entries(after)) {
    const earlier = merged[key];
    if (Array.isArray(value)) merged[key] = [...(Array.isArray(earlier) ? (earlier as unknown[]) : []), ...(value as unknown[])];
    else if (typeof value === 'boolean') merged[key] = value || earlier === true;
    else if (value !== undefined) merged[key] = value;
  }
  return merged as O;
}
