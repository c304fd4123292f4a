import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type Options, type ResultPromise } from 'execa';
import { startScriptedServer, type Script } from '../../actors/model/index.js';

/** The built CLI, as an installed `statecraft` runs it. */
export const CLI = resolve(import.meta.dirname, '../../dist/adapters/cli/main.js');

export interface Scene {
  root: string;
  workspace: string;
  home: string;
  server: Awaited<ReturnType<typeof startScriptedServer>>;
  /** `-c` flags pointing the CLI at the scripted server. */
  providerFlags: string[];
  cleanup(): Promise<void>;
}

/** A temp workspace and home, and a scripted model server on 127.0.0.1 playing `script`. */
export async function scene(script: Script): Promise<Scene> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-e2e-'));
  const workspace = join(root, 'ws');
  const home = join(root, 'home');
  await mkdir(workspace);
  await mkdir(home);
  const server = await startScriptedServer({ script });
  const providerFlags = [
    '-c',
    'model_provider="scripted"',
    '-c',
    'model_providers.scripted.name="scripted"',
    '-c',
    `model_providers.scripted.base_url="${server.url}"`,
    '-c',
    'model_providers.scripted.request_max_retries=2',
    '-c',
    'model_providers.scripted.stream_max_retries=2',
  ];
  return {
    root,
    workspace,
    home,
    server,
    providerFlags,
    async cleanup() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Runs `statecraft exec` in the scene's workspace with its own home and no API key. */
export function execCli(s: Scene, args: string[], options: Options = {}): ResultPromise {
  return execa('node', [CLI, 'exec', '--skip-git-repo-check', '-C', s.workspace, ...s.providerFlags, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
    // HOME too: a login shell must not pick up the developer's own profile scripts.
    env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '' },
    ...options,
  });
}

/** The JSONL events of an `exec --json` run. */
export const jsonEvents = (stdout: unknown): Array<Record<string, any>> =>
  String(stdout)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);

/** Tool outputs the model received, across all requests the server saw. */
export const toolOutputsSeen = (requests: unknown[]): string[] =>
  requests.flatMap((body) =>
    ((body as { input?: Array<Record<string, unknown>> }).input ?? [])
      .filter((item) => item.type === 'function_call_output')
      .map((item) => (typeof item.output === 'string' ? item.output : JSON.stringify(item.output))),
  );
