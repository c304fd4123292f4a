import { createRuntime, type Runtime } from '../../actors/runtime/index.js';

/** What a one-shot command needs of its process to read the configuration. */
export interface CommandRuntimeIo {
  env: NodeJS.ProcessEnv;
  version: string;
  stderr: NodeJS.WritableStream;
}

/**
 * The runtime a one-shot command (login, skills list, models list) reads the configuration
 * through, at `cwd` with the `-c` overrides; its warnings go to stderr.
 */
export function commandRuntime(io: CommandRuntimeIo, cwd: string, config: string[]): Promise<Runtime> {
  return createRuntime({
    env: io.env,
    cwd,
    source: 'cli',
    originator: 'statecraft',
    cliVersion: io.version,
    configOverrides: config,
    onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
  });
}
