import { readFileSync } from 'node:fs';

/** The package version, read from package.json both from dist/ and from the sources under tsx. */
export function packageVersion(): string {
  for (const relative of ['../../../package.json', '../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'statecraft' && parsed.version) return parsed.version;
    } catch {
      // not at this depth; try the next
    }
  }
  return '0.0.0';
}
