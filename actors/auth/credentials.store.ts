import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as Keyring from '@napi-rs/keyring';
import { errorMessage, type CredentialsStoreMode } from '../../protocol/index.js';

/** The file store: `<home>/auth.json`, readable by its owner only. */
const AUTH_FILE = 'auth.json';
/** The field the key is kept under, as Codex keeps it in its auth.json. */
const KEY_FIELD = 'OPENAI_API_KEY';
const KEYRING_SERVICE = 'statecraft';

/** Where a stored key was found or put. */
export type StoreKind = 'file' | 'keyring';

export interface StoredKey {
  apiKey: string;
  storedIn: StoreKind;
}

/** The OS keyring cannot be used here; the message says why and what to do. */
export class KeyringUnavailableError extends Error {}

/** A store that exists but cannot be used (an unreadable or malformed auth.json); never carries the key. */
export class CredentialsError extends Error {}

/** A key as it may be shown: its last four characters, the rest hidden. */
export function maskApiKey(key: string): string {
  return key.length <= 8 ? '****' : `****${key.slice(-4)}`;
}

const authFile = (home: string) => join(home, AUTH_FILE);

// ── the OS keyring ─────────────────────────────────────────────────────────────

/**
 * One keyring entry per home, so two homes (a test's and the user's) never share a key. The
 * keyring binding is a native module, an optional dependency the bundle does not carry: it is
 * read on first use, and a package installed without it has no keyring.
 */
function keyringEntry(home: string): Keyring.Entry {
  const account = `api-key|${createHash('sha256').update(resolve(home)).digest('hex').slice(0, 16)}`;
  try {
    const { Entry: KeyringEntry } = createRequire(import.meta.url)('@napi-rs/keyring') as typeof Keyring;
    return new KeyringEntry(KEYRING_SERVICE, account);
  } catch (error) {
    throw unavailable(error);
  }
}

function unavailable(error: unknown): KeyringUnavailableError {
  const hint =
    process.platform === 'linux'
      ? ' On Linux statecraft uses the kernel keyring, which needs a session keyring (run it under `keyctl session`, from the keyutils package, or log in through PAM).'
      : '';
  return new KeyringUnavailableError(`the OS keyring is not available: ${errorMessage(error)}.${hint}`);
}

/** What `cli_auth_credentials_store = "keyring"` reports when there is no keyring: the reason and the way out. */
function keyringRequired(error: unknown): unknown {
  if (!(error instanceof KeyringUnavailableError)) return error;
  return new KeyringUnavailableError(
    `${error.message} cli_auth_credentials_store is "keyring"; set it to "file" or "auto" in config.toml to keep the key in ${AUTH_FILE} instead.`,
  );
}

/** Runs a keyring call; any failure of the platform store means it is unavailable. */
function keyring<T>(home: string, call: (entry: Keyring.Entry) => T): T {
  const entry = keyringEntry(home);
  try {
    return call(entry);
  } catch (error) {
    throw unavailable(error);
  }
}

const keyringRead = (home: string): string | null => keyring(home, (entry) => entry.getPassword() ?? null);
const keyringWrite = (home: string, key: string): void => keyring(home, (entry) => entry.setPassword(key));
const keyringDelete = (home: string): boolean => keyring(home, (entry) => entry.deletePassword());

// ── the file ───────────────────────────────────────────────────────────────────

async function fileRead(home: string): Promise<string | null> {
  const path = authFile(home);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CredentialsError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CredentialsError(`${path} is not valid JSON; run \`statecraft login --with-api-key\` again or delete the file`);
  }
  const key = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[KEY_FIELD] : undefined;
  if (key === undefined || key === null) return null;
  if (typeof key !== 'string' || key.trim() === '') throw new CredentialsError(`${path}: ${KEY_FIELD} must be a non-empty string`);
  return key;
}

/** Writes auth.json atomically (a private temp file renamed over it), mode 0600 from the first byte. */
async function fileWrite(home: string, key: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const path = authFile(home);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify({ [KEY_FIELD]: key }, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function fileDelete(home: string): Promise<boolean> {
  const existed = (await fileRead(home).catch(() => 'unreadable')) !== null;
  await rm(authFile(home), { force: true });
  return existed;
}

// ── the stores as configured ───────────────────────────────────────────────────

/** Stores a key where the mode says; `auto` tries the keyring and falls back to the file, and the answer says which and why. */
export async function saveApiKey(
  home: string,
  mode: CredentialsStoreMode,
  key: string,
): Promise<{ storedIn: StoreKind; path: string | null; fallback: string | null }> {
  if (key.trim() === '') throw new CredentialsError('the API key is empty');
  const apiKey = key.trim();
  if (mode === 'file') {
    await fileWrite(home, apiKey);
    return { storedIn: 'file', path: authFile(home), fallback: null };
  }
  try {
    keyringWrite(home, apiKey);
  } catch (error) {
    if (mode === 'keyring' || !(error instanceof KeyringUnavailableError)) throw keyringRequired(error);
    await fileWrite(home, apiKey);
    return { storedIn: 'file', path: authFile(home), fallback: `${error.message} The key was stored in ${authFile(home)} instead.` };
  }
  // A key left in the file by an earlier fallback must not outlive the one now in the keyring.
  await rm(authFile(home), { force: true });
  return { storedIn: 'keyring', path: null, fallback: null };
}

/** The stored key: from the keyring or the file as the mode says (`auto`: the keyring when it works and has one, else the file). */
export async function loadApiKey(home: string, mode: CredentialsStoreMode): Promise<StoredKey | null> {
  if (mode !== 'file') {
    try {
      const apiKey = keyringRead(home);
      if (apiKey !== null) return { apiKey, storedIn: 'keyring' };
    } catch (error) {
      if (mode === 'keyring' || !(error instanceof KeyringUnavailableError)) throw keyringRequired(error);
    }
    if (mode === 'keyring') return null;
  }
  const apiKey = await fileRead(home);
  return apiKey === null ? null : { apiKey, storedIn: 'file' };
}

/** Removes the stored key from every store the mode may have used; says which held one. */
export async function deleteApiKey(home: string, mode: CredentialsStoreMode): Promise<StoreKind[]> {
  const removed: StoreKind[] = [];
  if (mode !== 'file') {
    try {
      if (keyringDelete(home)) removed.push('keyring');
    } catch (error) {
      if (mode === 'keyring' || !(error instanceof KeyringUnavailableError)) throw keyringRequired(error);
    }
  }
  if (mode !== 'keyring' && (await fileDelete(home))) removed.push('file');
  return removed;
}
