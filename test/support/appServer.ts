import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

/** The built CLI, as an installed `statecraft` runs it. */
export const CLI = resolve(import.meta.dirname, '../../dist/adapters/cli/main.js');

/** A home whose config.toml sends every thread to the scripted model at `url` as provider "mock". */
export async function writeMockProviderConfig(home: string, url: string): Promise<void> {
  const lines = [
    'model_provider = "mock"',
    '',
    '[model_providers.mock]',
    'name = "mock"',
    `base_url = "${url}"`,
    'request_max_retries = 1',
    'stream_max_retries = 1',
    '',
  ];
  await writeFile(join(home, 'config.toml'), lines.join('\n'));
}

/** `statecraft app-server ARGS` with its own home, HOME pointing at `root`, no API key, stdout streamed line by line by the caller. */
export function spawnAppServer(home: string, root: string, args: string[] = []) {
  // The bin itself, as a client spawns it: its first line gives Node its flags.
  return execa(CLI, ['app-server', ...args], {
    env: { STATECRAFT_HOME: home, HOME: root, OPENAI_API_KEY: '' },
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    buffer: { stdout: false, stderr: true },
  });
}
