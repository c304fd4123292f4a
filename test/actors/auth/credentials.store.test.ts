import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentApiKey, deleteApiKey, loadApiKey, maskApiKey, saveApiKey } from '../../../actors/auth/index.js';
import { provider } from '../model/helpers.js';

let homes: string[] = [];
afterEach(async () => {
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
  homes = [];
});
const tempHome = async () => {
  const home = await mkdtemp(join(tmpdir(), 'statecraft-auth-'));
  homes.push(home);
  return home;
};

const KEY = 'sk-file-0123456789abcd';

describe('the file credentials store', () => {
  it('writes auth.json with mode 0600 atomically, reads it back and removes it', async () => {
    const home = join(await tempHome(), 'nested-home');
    expect(await saveApiKey(home, 'file', `  ${KEY}\n`)).toEqual({ storedIn: 'file', path: join(home, 'auth.json'), fallback: null });
    expect((await stat(join(home, 'auth.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(home, 'auth.json'), 'utf8'))).toEqual({ OPENAI_API_KEY: KEY });
    expect(await readdir(home)).toEqual(['auth.json']);
    expect(await loadApiKey(home, 'file')).toEqual({ apiKey: KEY, storedIn: 'file' });
    await saveApiKey(home, 'file', 'sk-second-key-000099');
    expect((await loadApiKey(home, 'file'))?.apiKey).toBe('sk-second-key-000099');
    expect(await deleteApiKey(home, 'file')).toEqual(['file']);
    expect(await loadApiKey(home, 'file')).toBeNull();
    expect(await deleteApiKey(home, 'file')).toEqual([]);
  });

  it('refuses an empty key and reports a malformed file without its contents', async () => {
    const home = await tempHome();
    await expect(saveApiKey(home, 'file', '   ')).rejects.toThrow('the API key is empty');
    await writeFile(join(home, 'auth.json'), `{"OPENAI_API_KEY": "${KEY}"`);
    const failure = await loadApiKey(home, 'file').catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(`${join(home, 'auth.json')} is not valid JSON; run \`statecraft login --with-api-key\` again or delete the file`);
    expect((failure as Error).message).not.toContain(KEY);
  });

  it('masks all but the last four characters', () => {
    expect(maskApiKey(KEY)).toBe('****abcd');
    expect(maskApiKey('short')).toBe('****');
  });
});

describe('which key applies', () => {
  it('takes the environment over the stored key, and the stored key only for providers that take one', async () => {
    const home = await tempHome();
    await saveApiKey(home, 'file', KEY);
    const openai = provider('https://api.example.invalid/v1', { envKey: 'OPENAI_API_KEY', requiresOpenaiAuth: true, credentialsStore: 'file' });
    expect(await currentApiKey(openai, { OPENAI_API_KEY: 'sk-env-key-5555' }, home)).toEqual({
      apiKey: 'sk-env-key-5555',
      source: { kind: 'env', variable: 'OPENAI_API_KEY' },
    });
    expect(await currentApiKey(openai, { OPENAI_API_KEY: ' ' }, home)).toEqual({ apiKey: KEY, source: { kind: 'file' } });
    expect(await currentApiKey({ ...openai, requiresOpenaiAuth: false }, {}, home)).toBeNull();
  });
});
