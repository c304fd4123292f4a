import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wireCatalog } from '../../protocol/appServer/index.js';
import { bundleJsonSchema, entryJsonSchema } from './json.schema.js';

export const JSON_SCHEMA_BUNDLE_FILE = 'statecraft.app-server.schemas.json';

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes `<Name>.json` for every wire schema plus one bundle of them all into `outDir`
 * (created if missing). Returns the paths written, bundle last.
 */
export async function generateJsonSchema(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const entries = wireCatalog();
  const written: string[] = [];
  for (const entry of entries) {
    const path = join(outDir, `${entry.name}.json`);
    await writeFile(path, pretty(entryJsonSchema(entry)), 'utf8');
    written.push(path);
  }
  const bundlePath = join(outDir, JSON_SCHEMA_BUNDLE_FILE);
  await writeFile(bundlePath, pretty(bundleJsonSchema(entries)), 'utf8');
  written.push(bundlePath);
  return written;
}
