import { execa } from 'execa';
import { loadConfig, resolveThreadSettings, statecraftHome } from '../../actors/config/index.js';
import { childStdio, confine, probeSandbox, RootPins, type Launch } from '../../actors/exec/index.js';
import { sandboxFor } from '../../actors/runtime/index.js';
import type { SandboxMode } from '../../protocol/index.js';

export interface SandboxFlags {
  cd?: string;
  config: string[];
  sandbox?: SandboxMode;
}

/**
 * `statecraft sandbox -- CMD...`: runs one command under the sandbox the configuration
 * gives the agent, so a user can see what it may and may not do. Returns its exit code.
 */
export async function runSandboxed(argv: string[], flags: SandboxFlags, io: { stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv }): Promise<number> {
  if (argv.length === 0) {
    io.stderr.write('statecraft sandbox: name a command to run, e.g. `statecraft sandbox -- touch /etc/x`\n');
    return 2;
  }
  const cwd = flags.cd ?? process.cwd();
  const loaded = await loadConfig({ cwd, env: io.env, home: statecraftHome(io.env), overrides: flags.config });
  const settings = await resolveThreadSettings(loaded, { cwd, ...(flags.sandbox ? { sandbox: flags.sandbox } : {}) }, io.env);
  const sandbox = sandboxFor(settings, io.env);
  if (!sandbox) {
    io.stderr.write('statecraft sandbox: sandbox_mode is danger-full-access, so the command runs unconfined\n');
  } else {
    const probe = await probeSandbox();
    if (!probe.available) {
      io.stderr.write(`statecraft sandbox: the sandbox is unavailable: ${probe.reason}\n`);
      return 1;
    }
    io.stderr.write(
      `statecraft sandbox: ${sandbox.mode}, writable: ${sandbox.writableRoots.join(', ') || 'nothing'}, network: ${sandbox.networkAccess ? 'on' : 'off'}\n`,
    );
  }
  const launch: Launch | { problem: string } | null = sandbox ? confine(sandbox, cwd, argv, { pins: new RootPins() }) : null;
  if (launch && 'problem' in launch) {
    io.stderr.write(`statecraft sandbox: ${launch.problem}\n`);
    return 1;
  }
  const [program, ...args] = launch ? launch.argv : argv;
  const running = execa(program!, args, { cwd, stdio: childStdio(launch?.stdio ?? [], 'inherit'), reject: false });
  launch?.spawned();
  const result = await running;
  launch?.finished();
  if (result.failed && result.exitCode === undefined) {
    io.stderr.write(`statecraft sandbox: could not run ${argv[0]}: ${result.shortMessage}\n`);
    return 127;
  }
  return result.exitCode ?? 1;
}
