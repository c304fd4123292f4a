/**
 * The real Codex SDK (`@openai/codex-sdk`) driving the built CLI against the scripted model on
 * 127.0.0.1: what an SDK user gets by pointing `codexPathOverride` at statecraft. The Codex CLI
 * the SDK depends on is a stub here (package.json links @openai/codex to ./no-codex), so a run
 * that missed the override could never be a run of Codex.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Codex, type CodexOptions, type ThreadEvent, type ThreadItem } from '@openai/codex-sdk';
import type { Script } from '../../../actors/model/index.js';
import { CLI, fixture, type Fixture } from '../appServer/client.js';

type Json = any;

export interface SdkScene extends Fixture {
  /** The environment the SDK gives the CLI (it replaces the whole environment). */
  env: Record<string, string>;
  /** An SDK client whose `codex` is statecraft; `options` as an SDK user passes them. */
  codex(options?: Omit<CodexOptions, 'codexPathOverride'>): Codex;
  /** The JSON bodies of the model requests so far. */
  requests(): Json[];
}

/**
 * The SDK spawns `codexPathOverride` as a program, as it would an installed `statecraft`; this
 * script stands for one (`npm link` makes the same from package.json's `bin`).
 */
async function installedCli(root: string): Promise<string> {
  const bin = join(root, 'statecraft');
  await writeFile(bin, `#!/bin/sh\nexec node '${CLI.replaceAll("'", `'\\''`)}' "$@"\n`);
  await chmod(bin, 0o755);
  return bin;
}

/**
 * A temp workspace and statecraft home whose config.toml sends requests to a scripted model
 * playing `script`; removed when the test finishes (`onFinished` is the test's onTestFinished,
 * which concurrent tests must take from their own context).
 */
export async function sdkScene(script: Script, onFinished: (cleanup: () => Promise<void>) => void): Promise<SdkScene> {
  const f = await fixture(script);
  onFinished(() => f.cleanup());
  const bin = await installedCli(f.root);
  // No OPENAI_API_KEY: nothing may reach a real provider. Retries are fast, HOME is the scene's.
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: f.root, STATECRAFT_HOME: f.home, STATECRAFT_RETRY_BASE_MS: '5' };
  return {
    ...f,
    env,
    codex: (options = {}) => new Codex({ env, ...options, codexPathOverride: bin }),
    requests: () => f.model.requests as Json[],
  };
}

/** Every event of a streamed turn, and the error that ended the stream, if one did. */
export async function streamAll(events: AsyncGenerator<ThreadEvent>): Promise<{ events: ThreadEvent[]; error: Error | null }> {
  const seen: ThreadEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, error: null };
  } catch (error) {
    return { events: seen, error: error as Error };
  }
}

/** The items of one type, narrowed. */
export const itemsOf = <T extends ThreadItem['type']>(items: ThreadItem[], type: T) =>
  items.filter((item): item is Extract<ThreadItem, { type: T }> => item.type === type);

/** What the model was sent as the user's own words in a request, part by part. */
export const userParts = (request: Json): Json[] =>
  (request.input as Json[]).filter((item) => item.type === 'message' && item.role === 'user').flatMap((item) => item.content as Json[]);

/** The statuses the SDK's CommandExecutionItem and FileChangeItem may have. */
export const SDK_STATUSES = ['in_progress', 'completed', 'failed'];
