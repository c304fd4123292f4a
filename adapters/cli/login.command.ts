import { text } from 'node:stream/consumers';
import { currentApiKey, deleteApiKey, maskApiKey, saveApiKey, type Runtime } from '../../actors/runtime/index.js';
import { errorMessage, type ProviderSettings } from '../../protocol/index.js';
import { commandRuntime } from './command.runtime.js';

interface LoginIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  version: string;
}

export interface LoginFlags {
  withApiKey: boolean;
  config: string[];
}

/** The runtime and the configured provider, which decide where keys are stored and which key applies. */
async function configured(io: LoginIo, config: string[]): Promise<{ runtime: Runtime; provider: ProviderSettings }> {
  const runtime = await commandRuntime(io, process.cwd(), config);
  const { provider } = await runtime.resolveSettings({});
  return { runtime, provider };
}

/** Runs one login subcommand, turning any failure into one line on stderr and exit status 1. */
async function guarded(name: string, io: LoginIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    io.stderr.write(`statecraft ${name}: ${errorMessage(error)}\n`);
    return 1;
  }
}

/**
 * `statecraft login --with-api-key`: reads the key from standard input (never from the
 * command line, where it would land in shell history and the process list) and stores it
 * where `cli_auth_credentials_store` says.
 */
export function runLogin(flags: LoginFlags, io: LoginIo): Promise<number> {
  return guarded('login', io, async () => {
    if (!flags.withApiKey) {
      io.stderr.write('statecraft login: only API keys are supported; pipe one in: `printenv OPENAI_API_KEY | statecraft login --with-api-key`\n');
      return 2;
    }
    if (io.stdin.isTTY) {
      io.stderr.write('statecraft login: the key is read from standard input; pipe it in: `printenv OPENAI_API_KEY | statecraft login --with-api-key`\n');
      return 2;
    }
    const key = (await text(io.stdin)).trim();
    if (key === '') {
      io.stderr.write('statecraft login: standard input was empty; pipe the API key in\n');
      return 2;
    }
    const { runtime, provider } = await configured(io, flags.config);
    const saved = await saveApiKey(runtime.home, provider.credentialsStore, key);
    if (saved.fallback) io.stderr.write(`warning: ${saved.fallback}\n`);
    const where = saved.storedIn === 'keyring' ? 'the OS keyring' : `${saved.path} (mode 0600)`;
    io.stdout.write(`Stored the API key ${maskApiKey(key)} in ${where}.\n`);
    if (!provider.requiresOpenaiAuth) {
      io.stderr.write(`note: the configured provider "${provider.id}" does not use stored keys (set requires_openai_auth = true in its table to use it)\n`);
    }
    return 0;
  });
}

/** `statecraft login status`: whether a key applies, where it comes from, and its masked tail. Exit 1 when there is none. */
export function runLoginStatus(flags: { config: string[] }, io: LoginIo): Promise<number> {
  return guarded('login status', io, async () => {
    const { runtime, provider } = await configured(io, flags.config);
    const key = await currentApiKey(provider, io.env, runtime.home);
    if (!key) {
      io.stdout.write(`Not logged in: no API key for provider "${provider.id}". Run \`statecraft login --with-api-key\` with the key on standard input.\n`);
      return 1;
    }
    const source =
      key.source.kind === 'env'
        ? `the environment variable ${key.source.variable} (it wins over a stored key)`
        : key.source.kind === 'keyring'
          ? 'the OS keyring'
          : `${runtime.home}/auth.json`;
    io.stdout.write(`Logged in with an API key (${maskApiKey(key.apiKey)}) from ${source}.\n`);
    return 0;
  });
}

/** `statecraft logout`: removes the stored key from wherever it may be. */
export function runLogout(flags: { config: string[] }, io: LoginIo): Promise<number> {
  return guarded('logout', io, async () => {
    const { runtime, provider } = await configured(io, flags.config);
    const removed = await deleteApiKey(runtime.home, provider.credentialsStore);
    const names = removed.map((kind) => (kind === 'keyring' ? 'the OS keyring' : `${runtime.home}/auth.json`));
    io.stdout.write(removed.length > 0 ? `Removed the stored API key from ${names.join(' and ')}.\n` : 'No stored API key to remove.\n');
    const still = await currentApiKey(provider, io.env, runtime.home);
    if (still?.source.kind === 'env') io.stdout.write(`The environment variable ${still.source.variable} still provides a key.\n`);
    return 0;
  });
}
