import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './config.error.js';
import { mergeTables } from './config.merge.js';
import { parseKeyPath, tableAt, type Table } from './key.path.js';

/**
 * Turns one `-c key.path=value` flag into a layer. The value is read as a TOML value
 * (`true`, `5`, `["a"]`, `"x"`); anything that is not TOML is taken as a plain string, so
 * `-c model=gpt-5.1` works without shell-quoting the quotes.
 */
export function parseOverride(raw: string): Table {
  const source = `-c ${raw}`;
  const equals = findAssignment(raw);
  if (equals < 0) throw new ConfigError('syntax', source, null, 'expected key=value, e.g. -c model="gpt-5.1-codex"');
  const keys = parseKeyPath(raw.slice(0, equals), source);
  return tableAt(keys, parseOverrideValue(raw.slice(equals + 1).trim()));
}

/** The `=` that ends the key, skipping any inside quoted keys. */
function findAssignment(raw: string): number {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i += 1) {
    const char = raw[i];
    if (quote !== null) {
      if (quote === '"' && char === '\\') i += 1;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '=') return i;
  }
  return -1;
}

function parseOverrideValue(text: string): unknown {
  try {
    const document = parse(`value = ${text}`);
    // A value smuggling in more lines (`x\nother = 1`) is not one value: keep it as text.
    return Object.keys(document).length === 1 ? document['value'] : text;
  } catch (error) {
    if (error instanceof TomlError) return text;
    throw error;
  }
}

/**
 * Turns a client's config object (app-server `config`, keys possibly dotted like
 * `sandbox_workspace_write.network_access`) into one layer.
 */
export function overridesTable(record: Readonly<Record<string, unknown>>, source: string): Table {
  return Object.entries(record).reduce<Table>((layer, [key, value]) => mergeTables(layer, tableAt(parseKeyPath(key, source), value)), {});
}
