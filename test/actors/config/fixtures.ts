import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError, loadConfig, type LoadConfigOptions } from '../../../actors/config/index.js';
import { markRepository } from '../../support/git.js';

/** A throwaway machine: a user home, a statecraft home, a system dir and a git project. */
export interface Sandbox {
  root: string;
  home: string;
  systemDir: string;
  project: string;
  env: NodeJS.ProcessEnv;
  write(path: string, text: string): Promise<string>;
  load(options?: Partial<LoadConfigOptions>): ReturnType<typeof loadConfig>;
  /** Marks the project trusted in the user config, followed by `userConfig`. */
  trustProject(userConfig?: string): Promise<void>;
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-config-'));
  const home = join(root, 'statecraft-home');
  const systemDir = join(root, 'etc');
  const project = join(root, 'project');
  await markRepository(project);
  await mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { HOME: join(root, 'user'), STATECRAFT_HOME: home, SHELL: '/bin/zsh' };
  const write = async (path: string, text: string) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    return path;
  };
  return {
    root,
    home,
    systemDir,
    project,
    env,
    write,
    load: (options = {}) => loadConfig({ cwd: project, env, systemDir, ...options }),
    trustProject: async (userConfig = '') => {
      await write(join(home, 'config.toml'), `${userConfig}\n[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    },
  };
}

/** The ConfigError a promise rejects with (the test fails if it resolves or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}
