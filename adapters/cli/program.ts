/**
 * The command line. Only commander and the option definitions load at start: each command's
 * code is imported when that command runs, so `--version`, `--help` and a command's start pay
 * for nothing they do not use (a structural test holds start-up to that).
 */
import { Command, Option } from '@commander-js/extra-typings';
import type { CliIo, ExecExit } from './exec.command.js';
import type * as McpCommands from './mcp.command.js';
import { collect, inspectOption, mergeExecFlags, portNumber, withExecOptions, withThreadOptions } from './exec.options.js';
import { packageVersion } from './version.js';

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
  // The servers handle their own output errors, and finish their threads properly.
  .hook('preAction', (_program, action) => {
    if (action.name() !== 'app-server' && action.name() !== 'mcp-server') endQuietlyWhenTheReaderLeaves();
  });

// `statecraft [PROMPT]`: the interactive UI, with the thread flags `exec` takes.
const interactive = withThreadOptions(program.argument('[prompt]', 'what to do first (optional)')).action(async (prompt, flags) => {
  const { runTui } = await import('../tui/tui.command.js');
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
  const { runTui } = await import('../tui/tui.command.js');
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
  const { runExec } = await import('./exec.command.js');
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
  const { runExec } = await import('./exec.command.js');
  endExec(await runExec(flags.last ? (threadId ?? prompt) : prompt, flags, io, target));
});

program
  .command('demo')
  .description('Run an offline agent turn against the built-in scripted model (no API key, no network)')
  .action(async () => {
    const { runDemo } = await import('./demo.command.js');
    endExec(await runDemo(io));
  });

program
  .command('mock-model')
  .description('Serve a scripted model on 127.0.0.1 speaking the Responses API (for tests and demos)')
  .requiredOption('--script <file>', 'JSON script: {"turns": [...], "models": [ids GET /v1/models lists]} or a bare array of turns')
  .option('--port <n>', 'port to listen on (default: any free port)', (value) => Number.parseInt(value, 10))
  .action(async ({ script, port }) => {
    try {
      const { loadScript, startScriptedServer } = await import('../../actors/model/index.js');
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
  .option('--trace', "record how each thread's state machines ran, beside its rollout, for `statecraft inspect` (-c trace=true)", false)
  .addOption(inspectOption())
  .action(async ({ trace, inspect }) => {
    const { runAppServer } = await import('../app-server/app.server.js');
    try {
      await runAppServer({
        trace,
        ...(inspect !== undefined ? { inspect } : {}),
        input: process.stdin,
        output: process.stdout,
        env: process.env,
        version: io.version,
        log: (line) => process.stderr.write(`[statecraft app-server] ${line}\n`),
      });
    } catch (error) {
      process.stderr.write(`statecraft app-server: ${(error as Error).message}\n`);
      process.exit(1);
    }
    process.exit(0);
  });

appServer
  .command('generate-json-schema')
  .description('Write a JSON Schema for every app-server message, plus a bundle, into a directory')
  .requiredOption('--out <dir>', 'the directory to write into')
  .action(async ({ out }) => {
    const { generateJsonSchema } = await import('../../actors/schemaExport/index.js');
    const files = await generateJsonSchema(out);
    process.stdout.write(`wrote ${files.length} files to ${out}\n`);
  });

appServer
  .command('generate-ts')
  .description('Write TypeScript declarations for every app-server message, plus an index, into a directory')
  .requiredOption('--out <dir>', 'the directory to write into')
  .action(async ({ out }) => {
    const { generateTypeScript } = await import('../../actors/schemaExport/index.js');
    const files = await generateTypeScript(out);
    process.stdout.write(`wrote ${files.length} files to ${out}\n`);
  });

program
  .command('mcp-server')
  .description(
    'Serve MCP on stdin/stdout, so MCP clients can run statecraft as a tool: `statecraft` starts a thread and runs a turn, `statecraft-reply` continues one',
  )
  .action(async () => {
    const { runMcpServer } = await import('../mcp-server/mcp.server.js');
    await runMcpServer({
      input: process.stdin,
      output: process.stdout,
      env: process.env,
      version: io.version,
      log: (line) => process.stderr.write(`[statecraft mcp-server] ${line}\n`),
    });
    process.exit(0);
  });

const login = program
  .command('login')
  .description('Store an API key for the model provider (in the OS keyring or ~/.statecraft/auth.json, per cli_auth_credentials_store)')
  .option('--with-api-key', 'read the API key from standard input, e.g. `printenv OPENAI_API_KEY | statecraft login --with-api-key`', false)
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .action(async (flags) => {
    const { runLogin } = await import('./login.command.js');
    process.exitCode = await runLogin(flags, io);
  });

login
  .command('status')
  .description('Say whether an API key applies, where it comes from (environment, keyring or file), and its last characters')
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .action(async (flags) => {
    const { runLoginStatus } = await import('./login.command.js');
    process.exitCode = await runLoginStatus(flags, io);
  });

program
  .command('logout')
  .description('Remove the stored API key (an API key in the environment still applies)')
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .action(async (flags) => {
    const { runLogout } = await import('./login.command.js');
    process.exitCode = await runLogout(flags, io);
  });

const skills = program.command('skills').description('Skills: SKILL.md files that teach the agent a kind of task');

skills
  .command('list')
  .description("List the skills a thread started here would load (yours, and the trusted project's), and the files that failed to load")
  .option('--json', 'print {cwd, skills, errors} as JSON', false)
  .option('-C, --cd <dir>', 'the directory to list for (its project and config apply)')
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .action(async (flags) => {
    const { runSkillsList } = await import('./skills.command.js');
    process.exitCode = await runSkillsList(flags, io);
  });

const models = program.command('models').description('Models: what the configured provider serves, merged with the built-in ones');

models
  .command('list')
  .description('List the models a thread started here could use: what the configured provider serves, merged with the built-in ones')
  .option('--json', 'print {provider, data} as JSON, data in the form of model/list', false)
  .option('--include-hidden', 'also list models kept only for older configs', false)
  .option('--provider <id>', 'list the models of this configured provider instead')
  .option('-C, --cd <dir>', 'the directory to list for (its project and config apply)')
  .option('-c, --config <key=value>', 'override a config key; repeatable', collect, [] as string[])
  .action(async (flags) => {
    const { runModelsList } = await import('./models.command.js');
    process.exitCode = await runModelsList(flags, io);
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
      const { runSandboxed } = await import('./sandbox.command.js');
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
      const { runExecPolicyCheck } = await import('./execpolicy.command.js');
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
    const { runApplyPatch } = await import('./apply.patch.command.js');
    process.exitCode = await runApplyPatch(flags, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('inspect')
  .description("Show the state machines, and step through a recorded thread's trace, in the browser (served on 127.0.0.1)")
  .argument('[thread]', 'a thread id (or unique prefix), or a trace or rollout file; the thread must have run with --trace')
  .option('--last', 'the most recently updated thread', false)
  .option('--machines', 'the charts alone, no trace', false)
  .option('--port <n>', 'port to serve on (default: any free port)', portNumber)
  .option('--open', 'open the page in a browser, when the system has one', false)
  .option('--export <file>', 'write the page as one self-contained HTML file instead of serving it')
  .action(async (thread, flags) => {
    const { runInspect } = await import('../inspector/inspect.command.js');
    const status = await runInspect(thread, flags, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    if (status !== 0) process.exitCode = status;
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
      const { configShowJson, formatConfigShow, loadConfig, statecraftHome } = await import('../../actors/config/index.js');
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

/** Runs an `mcp` subcommand, turning a thrown error (a bad config, say) into its message and exit code 1. */
const mcpAction = async (run: (command: typeof McpCommands) => Promise<number>) => {
  try {
    process.exitCode = await run(await import('./mcp.command.js'));
  } catch (error) {
    process.stderr.write(`statecraft mcp: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
};
const mcpIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
const mcp = program.command('mcp').description('Manage the MCP servers whose tools the agent may use ([mcp_servers.*] in config.toml)');
mcp
  .command('list')
  .description('List the configured MCP servers')
  .option('--json', 'print JSON', false)
  .action((flags) => mcpAction(({ runMcpList }) => runMcpList(flags, mcpIo)));
mcp
  .command('get')
  .description('Show one MCP server')
  .argument('<name>', 'the server name')
  .option('--json', 'print JSON', false)
  .action((name, flags) => mcpAction(({ runMcpGet }) => runMcpGet(name, flags, mcpIo)));
mcp
  .command('add')
  .description('Add an MCP server to the user config: `mcp add NAME -- COMMAND ARGS...` (stdio) or `mcp add NAME --url URL` (streamable HTTP)')
  .argument('<name>', 'the server name (letters, digits, _ and -)')
  .argument('[command...]', 'the command that starts the server and its arguments (after --)')
  .option('--url <url>', 'the URL of a streamable HTTP server')
  .option('--bearer-token-env-var <var>', 'the variable holding the bearer token sent to a streamable HTTP server')
  .option('--env <key=value>', 'an environment variable for a stdio server; repeatable', collect, [] as string[])
  .action((name, argv, flags) => mcpAction(({ runMcpAdd }) => runMcpAdd(name, argv, flags, mcpIo)));
mcp
  .command('remove')
  .description('Remove an MCP server from the user config, leaving every other key as it was')
  .argument('<name>', 'the server name')
  .action((name) => mcpAction(({ runMcpRemove }) => runMcpRemove(name, mcpIo)));

await program.parseAsync();
