/**
 * Codex as the bench runs it next to statecraft (`npm run bench -- --vs-codex PATH`, PATH being
 * the `codex` bin of `npm install @openai/codex`): offline against the same scripted model, in
 * its quickest honest set-up. The features that reach the network or do work these figures do
 * not involve (plugin and app sync from GitHub, shell snapshots, update checks, analytics) are
 * off, so what is timed is the agent itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A CODEX_HOME whose config sends every request to the scripted model at `url`. */
export async function codexHome(root: string, name: string, url: string): Promise<string> {
  const home = join(root, name);
  await mkdir(home, { recursive: true });
  const config = [
    'model_provider = "bench"',
    // A model Codex has metadata for, so it reports no "metadata not found" item.
    'model = "gpt-5.5"',
    'check_for_update_on_startup = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
    'shell_snapshot = false',
    '',
    '[model_providers.bench]',
    'name = "bench"',
    `base_url = "${url}"`,
    'wire_api = "responses"',
    'request_max_retries = 1',
    'stream_max_retries = 1',
    '',
  ];
  await writeFile(join(home, 'config.toml'), config.join('\n'));
  return home;
}
