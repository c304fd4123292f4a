import { isTable, type Table } from './key.path.js';

/**
 * Lays `over` on top of `under`: tables merge key by key, anything else (scalars,
 * arrays) replaces, so a layer can shorten a list but never has to repeat a table.
 */
export function mergeTables(under: Table, over: Table): Table {
  const merged: Table = { ...under };
  for (const [key, value] of Object.entries(over)) {
    const below = merged[key];
    merged[key] = isTable(below) && isTable(value) ? mergeTables(below, value) : copyValue(value);
  }
  return merged;
}

/** Copies tables so that later merges never write into a layer. */
function copyValue(value: unknown): unknown {
  return isTable(value) ? mergeTables({}, value) : value;
}

/** Every path to a non-table value (arrays are values too), as key lists. */
export function leafPaths(table: Table, prefix: readonly string[] = []): string[][] {
  return Object.entries(table).flatMap(([key, value]) => (isTable(value) ? leafPaths(value, [...prefix, key]) : [[...prefix, key]]));
}
