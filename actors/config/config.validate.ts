import type { z } from 'zod';
import { ConfigError } from './config.error.js';
import { mergeTables } from './config.merge.js';
import { ConfigLayerTable, STRICT_TABLES } from './config.schema.js';
import { formatKeyPath, isTable, type Table } from './key.path.js';

export interface ValidatedLayer {
  values: Table;
  /** Unknown keys, each naming the source and the key; they were dropped from `values`. */
  warnings: string[];
}

/**
 * Checks one layer on its own, so a problem is reported against the file (or flag) that
 * holds it: unknown keys become warnings and are dropped (in the strict tables they throw),
 * a wrong type throws.
 */
export function validateLayer(values: Table, source: string): ValidatedLayer {
  const result = ConfigLayerTable.safeParse(values);
  if (result.success) return { values: result.data, warnings: [] };

  const cleaned = mergeTables({}, values);
  const warnings: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code !== 'unrecognized_keys') throw typeError(issue, values, source);
    const strict = strictTable(issue.path);
    if (strict) {
      const key = formatKeyPath([...issue.path.map(pathKey), issue.keys[0]!]);
      throw new ConfigError('key', source, key, `unknown key; known keys: ${Object.keys(strict.shape).join(', ')}`);
    }
    const holder = valueAt(cleaned, issue.path);
    for (const key of issue.keys) {
      warnings.push(`${source}: unknown key ${formatKeyPath([...issue.path.map(pathKey), key])} (ignored)`);
      if (isTable(holder)) delete holder[key];
    }
  }
  return { values: ConfigLayerTable.parse(cleaned), warnings: warnings.sort() };
}

/** The strict table an issue path ends in, at the top level or in a profile. */
function strictTable(path: readonly PropertyKey[]) {
  const name = path.at(-1);
  const atTop = path.length === 1 || (path.length === 3 && path[0] === 'profiles');
  return atTop && typeof name === 'string' ? STRICT_TABLES[name] : undefined;
}

function typeError(issue: z.core.$ZodIssue, values: Table, source: string): ConfigError {
  const found = describeValue(valueAt(values, issue.path));
  return new ConfigError('type', source, formatKeyPath(issue.path.map(pathKey)), `expected ${expectation(issue)}, found ${found}`);
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map(String).join('|')}`;
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'too_small':
      if (issue.origin === 'string') return 'a non-empty string';
      return `a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_union':
      // A key that takes several forms (web_search: a mode or true/false) names each.
      return issue.errors.flatMap((branch) => (branch[0] ? [expectation(branch[0])] : [])).join(' or ') || issue.message;
    default:
      return issue.message;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'a table',
  record: 'a table',
};

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `the date-time ${value.toISOString()}`;
  if (Array.isArray(value)) return `an array (${JSON.stringify(value)})`;
  if (isTable(value)) return 'a table';
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'symbol' ? String(key) : key;
}

/** Follows an issue path through tables and arrays, as zod reports it. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isTable(value) && typeof key === 'string') value = value[key];
    else return undefined;
  }
  return value;
}
