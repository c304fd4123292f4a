import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces name our .ts files and lines, with the source maps the build writes beside the
 * bundle. Node's own support (`setSourceMapsEnabled`) reads and indexes the map of every module
 * as it loads, a cost each start would pay for stacks it mostly never prints; here a map is read
 * the first time a stack that passes through its file is formatted.
 */
export function mapStackTracesLazily(): void {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (file: string): SourceMap | null => {
    let map = maps.get(file);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
      } catch {
        // No map (a chunk of dependencies alone has none): the frame stays as it is.
        map = null;
      }
      maps.set(file, map);
    }
    return map;
  };
  const frame = (site: NodeJS.CallSite): string => {
    // V8's CallSite formats itself as the default trace does; @types/node does not declare that toString.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    const text = site.toString();
    const name = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (!name || line === null || column === null) return text;
    const file = name.startsWith('file://') ? fileURLToPath(name) : name;
    const entry = mapOf(file)?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry)) return text;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
    return text.replace(`${name}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
  };
  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) => {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = '<error>';
    }
    return [header, ...sites.map((site) => `    at ${frame(site)}`)].join('\n');
  };
}
