/**
 * statecraft login / login status / logout in each credentials store, through the built CLI,
 * and the stored key reaching the model as the Authorization header. The OS keyring is the
 * Linux kernel keyring here: each run gets its own session keyring from `keyctl session -`
 * (Debian's keyutils), and `keyctl setperm @s 0` makes that keyring unusable for the
 * unavailable path, whatever keyring the test runner itself has.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const KEY = 'sk-stored-key-9f8e7d6c5b4a';
const ENV_KEY = 'sk-from-env-1122334455';

const open = async () => (current = await scene({ turns: [[{ text: 'one' }], [{ text: 'two' }], [{ text: 'three' }]] }));

/** The built-in OpenAI provider, pointed at the scripted server, with the store mode given. */
const flags = (s: Scene, store: string) => ['-c', `openai_base_url="${s.server.url}"`, '-c', `cli_auth_credentials_store="${store}"`];

const env = (s: Scene, extra: Record<string, string> = {}) => ({ HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '', CODEX_API_KEY: '', ...extra });

const cli = (s: Scene, args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  execa('node', [CLI, ...args], { reject: false, env: env(s, options.env), ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }) });

/** A shell script run in one fresh session keyring (made unusable first when `broken`), each step's output marked. */
function inSessionKeyring(s: Scene, steps: string[], broken = false) {
  const script = [...(broken ? ['keyctl setperm @s 0'] : []), ...steps.map((step, i) => `echo "== step ${i} =="; ${step}; echo "== rc $?"`)].join('\n');
  return execa('keyctl', ['session', '-', 'sh', '-c', script], { reject: false, env: { ...env(s), PATH: process.env.PATH ?? '', CLI } });
}

const files = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));

/** Nothing under the home but auth.json may hold the key: not the rollouts, not anything else. */
async function expectKeyOnlyIn(home: string, allowed: string[]): Promise<void> {
  for (const path of await files(home)) if (!allowed.includes(path)) expect(await readFile(path, 'utf8'), path).not.toContain(KEY);
}

describe('credentials: the file store', () => {
  it('stores the key from stdin in a 0600 auth.json, sends it to the model, lets the environment win, and logs out', async () => {
    const s = await open();
    const login = await cli(s, ['login', '--with-api-key', ...flags(s, 'file')], { input: `${KEY}\n` });
    expect(login.exitCode).toBe(0);
    expect(login.stdout).toBe(`Stored the API key ****5b4a in ${join(s.home, 'auth.json')} (mode 0600).`);
    expect((await stat(join(s.home, 'auth.json'))).mode & 0o777).toBe(0o600);

    const status = await cli(s, ['login', 'status', ...flags(s, 'file')]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toBe(`Logged in with an API key (****5b4a) from ${join(s.home, 'auth.json')}.`);

    const run = await cli(s, ['exec', '--skip-git-repo-check', '-C', s.workspace, ...flags(s, 'file'), 'hello']);
    expect(run.exitCode).toBe(0);
    expect(s.server.headers[0]?.authorization).toBe(`Bearer ${KEY}`);
    const show = await cli(s, ['config', 'show', ...flags(s, 'file')]);
    for (const output of [login.stderr, status.stderr, run.stdout, run.stderr, show.stdout, show.stderr]) expect(output).not.toContain(KEY);
    await expectKeyOnlyIn(s.home, [join(s.home, 'auth.json')]);

    const withEnv = await cli(s, ['exec', '--skip-git-repo-check', '-C', s.workspace, ...flags(s, 'file'), 'again'], { env: { OPENAI_API_KEY: ENV_KEY } });
    expect(withEnv.exitCode).toBe(0);
    expect(s.server.headers[1]?.authorization).toBe(`Bearer ${ENV_KEY}`);
    const envStatus = await cli(s, ['login', 'status', ...flags(s, 'file')], { env: { OPENAI_API_KEY: ENV_KEY } });
    expect(envStatus.stdout).toBe('Logged in with an API key (****4455) from the environment variable OPENAI_API_KEY (it wins over a stored key).');

    const logout = await cli(s, ['logout', ...flags(s, 'file')]);
    expect(logout.stdout).toBe(`Removed the stored API key from ${join(s.home, 'auth.json')}.`);
    await expect(stat(join(s.home, 'auth.json'))).rejects.toThrow();
    const after = await cli(s, ['login', 'status', ...flags(s, 'file')]);
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toContain('Not logged in');
  }, 180_000);

  it('never takes the key from the command line, and refuses empty input', async () => {
    const s = await open();
    const argv = await cli(s, ['login', '--with-api-key', KEY, ...flags(s, 'file')]);
    expect(argv.exitCode).not.toBe(0);
    expect(argv.stderr).not.toContain(KEY);
    const empty = await cli(s, ['login', '--with-api-key', ...flags(s, 'file')], { input: '\n' });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('standard input was empty');
    await expect(stat(join(s.home, 'auth.json'))).rejects.toThrow();
  });
});

describe('credentials: the OS keyring', () => {
  it('keyring mode stores the key in the session keyring (no file), sends it, and logs out', async () => {
    const s = await open();
    const f = flags(s, 'keyring')
      .map((arg) => `'${arg}'`)
      .join(' ');
    const result = await inSessionKeyring(s, [
      `printf '%s\\n' '${KEY}' | node "$CLI" login --with-api-key ${f}`,
      `node "$CLI" login status ${f}`,
      `node "$CLI" exec --skip-git-repo-check -C '${s.workspace}' ${f} hello >/dev/null`,
      `node "$CLI" logout ${f}`,
      `node "$CLI" login status ${f}`,
    ]);
    expect(result.stdout).toContain('Stored the API key ****5b4a in the OS keyring.\n== rc 0');
    expect(result.stdout).toContain('Logged in with an API key (****5b4a) from the OS keyring.\n== rc 0');
    expect(result.stdout).toContain('Removed the stored API key from the OS keyring.\n== rc 0');
    expect(result.stdout).toMatch(/Not logged in[^\n]*\n== rc 1/);
    expect(s.server.headers[0]?.authorization).toBe(`Bearer ${KEY}`);
    expect(result.stderr).not.toContain(KEY);
    await expect(stat(join(s.home, 'auth.json'))).rejects.toThrow();
    await expectKeyOnlyIn(s.home, []);
  }, 120_000);

  it('auto mode uses the keyring when it works', async () => {
    const s = await open();
    const f = flags(s, 'auto')
      .map((arg) => `'${arg}'`)
      .join(' ');
    const result = await inSessionKeyring(s, [`printf '%s' '${KEY}' | node "$CLI" login --with-api-key ${f}`, `node "$CLI" login status ${f}`]);
    expect(result.stdout).toContain('Stored the API key ****5b4a in the OS keyring.');
    expect(result.stdout).toContain('from the OS keyring.');
    await expect(stat(join(s.home, 'auth.json'))).rejects.toThrow();
  }, 60_000);

  it('keyring mode fails clearly when no keyring is available, and auto falls back to the file and says so', async () => {
    const s = await open();
    const strict = flags(s, 'keyring')
      .map((arg) => `'${arg}'`)
      .join(' ');
    const auto = flags(s, 'auto')
      .map((arg) => `'${arg}'`)
      .join(' ');
    const result = await inSessionKeyring(
      s,
      [
        `printf '%s' '${KEY}' | node "$CLI" login --with-api-key ${strict}`,
        `printf '%s' '${KEY}' | node "$CLI" login --with-api-key ${auto}`,
        `node "$CLI" login status ${auto}`,
        `node "$CLI" exec --skip-git-repo-check -C '${s.workspace}' ${auto} hello >/dev/null`,
      ],
      true,
    );
    expect(result.stderr).toContain(
      "statecraft login: the OS keyring is not available: Couldn't access platform storage: AccessDenied. On Linux statecraft uses the kernel keyring, which needs a session keyring",
    );
    expect(result.stderr).toContain('cli_auth_credentials_store is "keyring"; set it to "file" or "auto" in config.toml');
    expect(result.stdout).toMatch(/== step 0 ==\n== rc 1/);
    expect(result.stderr).toContain(`The key was stored in ${join(s.home, 'auth.json')} instead.`);
    expect(result.stdout).toContain(`Stored the API key ****5b4a in ${join(s.home, 'auth.json')} (mode 0600).\n== rc 0`);
    expect(result.stdout).toContain(`Logged in with an API key (****5b4a) from ${join(s.home, 'auth.json')}.`);
    expect(s.server.headers[0]?.authorization).toBe(`Bearer ${KEY}`);
    expect(result.stderr).not.toContain(KEY);
  }, 120_000);
});
