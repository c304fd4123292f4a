import { existsSync, statSync } from 'node:fs';
import type { OptionValues } from '@commander-js/extra-typings';
import { resolve } from 'node:path';
import { createRuntime, ThreadRegistry } from '../../actors/runtime/index.js';
import { configOverrides, threadOverrides, type CliIo, type ThreadFlags } from '../cli/exec.command.js';
import { codexOnlyNotes } from '../cli/exec.options.js';

/** The flags of `statecraft [PROMPT]` and `statecraft resume`: the thread settings `exec` takes too. */
export interface TuiFlags extends ThreadFlags, OptionValues {
  cd?: string;
  config: string[];
  enable: string[];
  disable: string[];
  image: string[];
  trace: boolean;
}

/** What to open: a new thread, a recorded one by id, the latest one, or a picker of recent ones. */
export type TuiStart = { kind: 'new' } | { kind: 'resume'; threadId: string } | { kind: 'last' } | { kind: 'pick' };

const EXIT_TERMINATED = 128 + 15;

/** Raw mode off, cursor shown: the terminal as the shell expects it, whatever way the UI ended. */
function restoreTerminal(io: CliIo): void {
  if (io.stdin.isTTY) io.stdin.setRawMode(false);
  (io.stdout as NodeJS.WriteStream).write('\u001b[?25h');
}

/** `statecraft [PROMPT]`: the full-screen agent session. Resolves with the exit status. */
export async function runTui(prompt: string | undefined, flags: TuiFlags, io: CliIo, start: TuiStart): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`statecraft: ${message}\n`);
    return 1;
  };
  const stdout = io.stdout as NodeJS.WriteStream;
  if (!io.stdin.isTTY || !stdout.isTTY) {
    return fail(
      'the interactive UI needs a terminal, and stdin or stdout is not one. ' +
        'To run a task from a script or a pipe, use `statecraft exec "PROMPT"` (or `statecraft exec -` to read the prompt from stdin).',
    );
  }
  for (const note of codexOnlyNotes(flags)) io.stderr.write(`warning: ${note}\n`);
  const cwd = resolve(flags.cd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return fail(`--cd ${cwd}: no such directory`);
  // Colours are chosen when the terminal libraries load: NO_COLOR must be in force before that.
  if (io.env.NO_COLOR) process.env.FORCE_COLOR = '0';

  const early: string[] = [];
  let onWarning: (message: string) => void = (message) => early.push(message);
  let runtime;
  try {
    runtime = await createRuntime({
      env: io.env,
      cwd,
      source: 'cli',
      originator: 'statecraft_cli',
      cliVersion: io.version,
      configOverrides: configOverrides(flags),
      ...(flags.profile ? { profile: flags.profile } : {}),
      onWarning: (message) => onWarning(message),
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  // React is CommonJS: the bundle's dynamic import of it gives its exports as `default` only.
  const [{ render }, { default: React }, { App }, { TuiSession }, { PromptHistory }] = await Promise.all([
    import('ink'),
    import('react'),
    import('./App.js'),
    import('./session.js'),
    import('./history.js'),
  ]);
  const registry = new ThreadRegistry(runtime);
  const session = new TuiSession(registry, threadOverrides(flags, start.kind === 'new' || flags.cd ? cwd : undefined, true, null), (overrides) =>
    runtime.models(overrides),
  );
  const history = new PromptHistory(runtime.home);
  await history.load();
  try {
    if (start.kind === 'resume') await session.resume(start.threadId);
    else if (start.kind === 'last') {
      const latest = await registry.latest();
      if (!latest) return fail(`there is no recorded thread to resume under ${runtime.home}`);
      await session.resume(latest);
    } else if (start.kind === 'new') await session.startNew();
    // A picker opens no thread until a choice is made.
  } catch (error) {
    await session.close();
    return fail((error as Error).message);
  }
  for (const message of early) session.note('warning', message);
  onWarning = (message) => session.note('warning', message);

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let ending = false;
  const end = (code: number) => {
    if (ending) return;
    ending = true;
    instance.unmount();
    restoreTerminal(io);
    // Closing the thread interrupts the turn and kills every process it started.
    void session.close().finally(() => finish(code));
  };
  const images = flags.image.map((path) => resolve(path));
  const initialPrompt = prompt ?? null;
  const instance = render(
    React.createElement(App, {
      session,
      history,
      cwd,
      initialPrompt,
      initialImages: images,
      pickResume: start.kind === 'pick',
      plain: Boolean(io.env.NO_COLOR),
      onQuit: () => end(0),
    }),
    { stdin: io.stdin, stdout, stderr: io.stderr, exitOnCtrlC: false, patchConsole: false },
  );
  const onSigterm = () => end(EXIT_TERMINATED);
  const onSigint = () => end(130);
  const onCrash = (error: unknown) => {
    restoreTerminal(io);
    io.stderr.write(`statecraft: the terminal UI failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  process.on('SIGTERM', onSigterm);
  process.on('SIGINT', onSigint);
  process.on('SIGHUP', onSigterm);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  // A last resort when something calls process.exit: the terminal still gets back its settings.
  const onExit = () => restoreTerminal(io);
  process.on('exit', onExit);
  void instance.waitUntilExit().then(
    () => end(0),
    (error: unknown) => onCrash(error),
  );
  const code = await finished;
  process.off('SIGTERM', onSigterm);
  process.off('SIGINT', onSigint);
  process.off('SIGHUP', onSigterm);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  process.off('exit', onExit);
  return code;
}
