#!/usr/bin/env node
import { Command, Option } from '@commander-js/extra-typings';
import { configShowJson, formatConfigShow, loadConfig, statecraftHome } from '../../actors/config/index.js';
import { loadScript, startScriptedServer } from '../../actors/model/index.js';
import { generateJsonSchema, generateTypeScript } from '../../actors/schemaExport/index.js';
import { runAppServer } from '../app-server/app.server.js';
import { runApplyPatch } from './apply.patch.command.js';
import { runDemo } from './demo.command.js';
import { runExec, type CliIo, type ExecExit } from './exec.command.js';
import { collect, mergeExecFlags, withExecOptions, withThreadOptions } from './exec.options.js';
import { runExecPolicyCheck } from './execpolicy.command.js';
import { runSandboxed } from './sandbox.command.js';
import { packageVersion } from './version.js';
import { runTui } from '../tui/tui.command.js';

const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, version: packageVersion() };

/** What a process ended by SIGPIPE reports (`yes | head -1`): Node ignores the signal, so the write fails instead. */
const EXIT_BROKEN_PIPE = 128 + 13;

/**
 * `statecraft exec ... | head`: once the reader is gone nothing is left to say, so the CLI
 * ends at once (the exit hook kills the commands it started) instead of dying on an
 * unhandled EPIPE. Other output errors get one line on stderr.
 */
function endQuietlyWhenTheReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') process.stderr.write(`statecraft: cannot write the output: ${error.message}\n`);
      process.exit(error.code === 'EPIPE' ? EXIT_BROKEN_PIPE : 1);
    });
  }
}

const program = new Command()
  .name('statecraft')
  .description('A coding agent for your terminal and editor: it talks to a model, runs commands in a sandbox and asks before risky steps.')
  .version(io.version)
  .showHelpAfterError()
  .enablePositionalOptions()
  // The app-server's outbox handles its own output errors, and finishes its threads properly.
  .hook('preAction', (_program, action) => {
    if (action.name() !== 'app-server') endQuietlyWhenTheReaderLeaves();
  });

// `statecraft [PROMPT]`: the interactive UI, with the thread flags `exec` takes.
const interactive = withThreadOptions(program.argument('[prompt]', 'what to do first (optional)')).action(async (prompt, flags) => {
  process.exitCode = await runTui(prompt, flags, io, { kind: 'new' });
});

withThreadOptions(
  program
    .command('resume')
    .description('Open a recorded thread in the interactive UI: by id, the latest (--last), or chosen from a list')
    .argument('[threadId]', 'the thread to open (a unique prefix of its id is enough)')
    .option('--last', 'open the most recently updated thread', false),
).action(async (threadId, ownFlags) => {
  // Flags given before `resume` count too, as `exec resume` takes them.
  const flags = mergeExecFlags(interactive.opts(), ownFlags);
  const start = flags.last ? ({ kind: 'last' } as const) : threadId ? ({ kind: 'resume', threadId } as const) : ({ kind: 'pick' } as const);
  process.exitCode = await runTui(undefined, flags, io, start);
});

/** Sets the exit status, or ends by the signal that stopped the run (its handler is gone by now, so the default action applies). */
function endExec(exit: ExecExit): void {
  if (typeof exit === 'number') process.exitCode = exit;
  else process.kill(process.pid, exit.signal);
}

const exec = withExecOptions(
  program
    .command('exec')
    .description('Run one agent turn non-interactively and print what happens')
    .argument('[prompt]', 'what to do; "-" (or no argument with piped input) reads it from stdin')
    .enablePositionalOptions(),
).action(async (prompt, flags) => {
  endExec(await runExec(prompt, flags, io));
});

withExecOptions(
  exec
    .command('resume')
    .description('Continue a recorded thread with one more turn')
    .argument('[threadId]', 'the thread to continue (see `statecraft exec --json`: thread.started)')
    .argument('[prompt]', 'what to do next; "-" (or none with piped input) reads it from stdin')
    .option('--last', 'continue the most recently updated thread (then the first argument is the prompt)', false),
).action(async (threadId, prompt, ownFlags) => {
  const flags = mergeExecFlags(exec.opts(), ownFlags);
  const target = flags.last ? { last: true } : { last: false, threadId };
  if (!flags.last && !threadId) {
    process.stderr.write('statecraft exec resume: name a thread id, or pass --last\n');
    process.exitCode = 1;
    return;
  }
  endExec(await runExec(flags.last ? (threadId ?? prompt) : prompt, flags, io, target));
});

program
  .command('demo')
  .description('Run an offline agent turn against the built-in scripted model (no API key, no network)')
  .action(async () => {
    endExec(await runDemo(io));
  });

program
  .command('mock-model')
  .description('Serve a scripted model on 127.0.0.1 speaking the Responses API (for tests and demos)')
  .requiredOption('--script <file>', 'JSON script of model turns')
  .option('--port <n>', 'port to listen on (default: any free port)', (value) => Number.parseInt(value, 10))
  .action(async ({ script, port }) => {
    try {
      const server = await startScriptedServer({ script: await loadScript(script), ...(port !== undefined ? { port } : {}) });
      process.stdout.write(`${server.url}\n`);
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    } catch (error) {
      process.stderr.write(`statecraft mock-model: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });

const appServer = program
  .command('app-server')
  .description('Serve the app-server v2 protocol (JSON lines) on stdin/stdout, for editors and other clients')
  .enablePositionalOptions()
  .action(async () => {
    await runAppServer({
      input: process.stdin,
      output: process.stdout,
      env: process.env,
      version: io.version,
      log: (line) => process.stderr.write(`[statecraft app-server] ${line}\n`),
    });
    process.exit(0);
  });

appServer
  .command('generate-json-schema')
  .description('Write a JSON Schema for every app-server message, plus a bundle, into a directory')
  .requiredOption('--out <dir>', 'the directory to write into')
  .action(async ({ out }) => {
    const files = await generateJsonSchema(out);
    process.stdout.write(`wrote ${files.length} files to ${out}\n`);
  });

appServer
  .command('generate-ts')
  .description('Write TypeScript declarations for every app-server message, plus an index, into a directory')
  .requiredOption('--out <dir>', 'the directory to write into')
  .action(async ({ out }) => {
    const files = await generateTypeScript(out);
    process.stdout.write(`wrote ${files.length} files to ${out}\n`);
  });

program
  .command('sandbox')
  .description('Run a command under the sandbox the agent would get here, to see what it may do')
  .argument('<command...>', 'the command and its arguments (put them after --)')
  .option('-C, --cd <dir>', 'the directory to run in (its config applies)')
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .addOption(new Option('-s, --sandbox <mode>', 'the sandbox mode').choices(['read-only', 'workspace-write', 'danger-full-access'] as const))
  .action(async (argv, flags) => {
    try {
      process.exitCode = await runSandboxed(argv, flags, { stderr: process.stderr, env: process.env });
    } catch (error) {
      process.stderr.write(`statecraft sandbox: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });

program
  .command('execpolicy')
  .description('Inspect the command policy')
  .command('check')
  .description('Show what the policy decides for a command here: the decision, the parts and the rules that matched')
  .argument('<command...>', 'the command (after --); a single argument is read as a shell script')
  .option('--json', 'print JSON', false)
  .option('-C, --cd <dir>', 'the directory whose project rules and config apply')
  .addOption(
    new Option('-a, --ask-for-approval <policy>', 'the approval policy to evaluate under').choices(['untrusted', 'on-failure', 'on-request', 'never'] as const),
  )
  .addOption(new Option('-s, --sandbox <mode>', 'the sandbox mode to evaluate under').choices(['read-only', 'workspace-write', 'danger-full-access'] as const))
  .option('--escalate', 'evaluate as if the model asked to run outside the sandbox', false)
  .action(async (argv, flags) => {
    try {
      process.exitCode = await runExecPolicyCheck(argv, flags, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    } catch (error) {
      process.stderr.write(`statecraft execpolicy: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });

program
  .command('apply-patch')
  .description('Apply a patch (the apply_patch format) read from stdin, all files or none')
  .option('-C, --cd <dir>', 'the directory paths are relative to')
  .action(async (flags) => {
    process.exitCode = await runApplyPatch(flags, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('config')
  .description('Inspect the configuration')
  .command('show')
  .description('Print the effective config, each key with the layer it came from')
  .option('--json', 'print JSON', false)
  .option('-C, --cd <dir>', 'the project directory whose config applies')
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .option('-p, --profile <name>', 'the config profile to use')
  .action(async (flags) => {
    try {
      const loaded = await loadConfig({
        cwd: flags.cd ?? process.cwd(),
        env: process.env,
        home: statecraftHome(process.env),
        overrides: flags.config,
        ...(flags.profile ? { profile: flags.profile } : {}),
      });
      for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(flags.json ? `${JSON.stringify(configShowJson(loaded), null, 2)}\n` : formatConfigShow(loaded));
    } catch (error) {
      process.stderr.write(`statecraft: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });

await program.parseAsync();
