import { ConfigError } from './config.error.js';

/** A config table: what TOML tables and JSON objects become. */
export type Table = Record<string, unknown>;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Tables are plain objects; TOML dates and arrays are values, not tables. */
export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Joins keys the way TOML would write them, quoting those that are not bare. */
export function formatKeyPath(keys: readonly (string | number)[]): string {
  return keys.map((key) => (typeof key === 'string' && BARE_KEY.test(key) ? key : JSON.stringify(String(key)))).join('.');
}

/**
 * Splits a dotted key such as `projects."/a/b".trust_level` into its keys.
 * Quoted keys may contain dots; `source` names the flag or layer in the error.
 */
export function parseKeyPath(text: string, source: string): string[] {
  const keys: string[] = [];
  let rest = text.trim();
  for (;;) {
    let key: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const end = findClosingQuote(rest, quote);
      if (end < 0) throw badKey(text, source, 'unterminated quoted key');
      const quoted = rest.slice(0, end + 1);
      key = quote === '"' ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
      rest = rest.slice(end + 1).trimStart();
    } else {
      const dot = rest.indexOf('.');
      key = (dot < 0 ? rest : rest.slice(0, dot)).trim();
      if (!BARE_KEY.test(key)) throw badKey(text, source, key === '' ? 'empty key' : `"${key}" must be quoted`);
      rest = dot < 0 ? '' : rest.slice(dot);
    }
    keys.push(key);
    if (rest === '') return keys;
    if (rest[0] !== '.') throw badKey(text, source, `unexpected "${rest}"`);
    rest = rest.slice(1).trimStart();
  }
}

function findClosingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function badKey(text: string, source: string, why: string): ConfigError {
  return new ConfigError('syntax', source, null, `invalid key "${text}": ${why}`);
}

/** The value at a key path, or undefined when any table on the way is missing. */
export function getPath(table: Table, keys: readonly string[]): unknown {
  let value: unknown = table;
  for (const key of keys) {
    if (!isTable(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** A table holding only `value` at the key path: how a single override becomes a layer. */
export function tableAt(keys: readonly string[], value: unknown): Table {
  let result: unknown = value;
  for (const key of [...keys].reverse()) result = { [key]: result };
  return result as Table;
}
