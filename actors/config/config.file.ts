import { readFile } from 'node:fs/promises';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './config.error.js';
import type { Table } from './key.path.js';

/**
 * Reads and parses one TOML config file; null when it does not exist, since every layer
 * is optional. Anything else that goes wrong is the user's to fix, so it names the file.
 */
export async function readConfigFile(file: string): Promise<Table | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError('read', file, null, `cannot read the file: ${(error as Error).message}`);
  }
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new ConfigError('syntax', `${file}:${error.line}:${error.column}`, null, `${tomlReason(error)}\n${error.codeblock}`);
  }
}

/** smol-toml prefixes every message and appends the code block; keep only the reason. */
function tomlReason(error: TomlError): string {
  const firstLine = error.message.split('\n')[0] ?? error.message;
  return `invalid TOML: ${firstLine.replace(/^Invalid TOML document:\s*/, '')}`;
}
