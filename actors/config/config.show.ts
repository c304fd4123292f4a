import { stringify } from 'smol-toml';
import type { LoadedConfig } from './config.loader.js';
import { formatKeyPath, isTable, type Table } from './key.path.js';

/**
 * The effective config as TOML, each value followed by the layer it came from
 * (`approval_policy = "never"  # -c`), for `statecraft config show`.
 */
export function formatConfigShow(loaded: LoadedConfig): string {
  const header = [
    `# home: ${loaded.home}`,
    `# project: ${loaded.projectRoot} (${loaded.projectTrusted ? 'trusted' : 'not trusted'})`,
    ...(loaded.profile === null ? [] : [`# profile: ${loaded.profile}`]),
  ];
  return `${[...header, ...renderTable(loaded.config, [], loaded.origins)].join('\n')}\n`;
}

/** Values before subtables, as TOML requires: a key after a [header] would belong to it. */
function renderTable(table: Table, path: readonly string[], origins: Record<string, string>): string[] {
  const entries = Object.entries(table).filter(([, value]) => value !== undefined);
  const values = entries
    .filter(([, value]) => !isTable(value))
    .map(([key, value]) => `${stringify({ [key]: value }).trim()}  # ${origins[formatKeyPath([...path, key])] ?? 'default'}`);
  const tables = entries.flatMap(([key, value]) => {
    if (!isTable(value)) return [];
    const inner = renderTable(value, [...path, key], origins);
    const hasValues = Object.values(value).some((child) => !isTable(child));
    return hasValues ? ['', `[${formatKeyPath([...path, key])}]`, ...inner] : inner;
  });
  return [...values, ...tables];
}

export interface ConfigShowJson {
  config: LoadedConfig['config'];
  origins: Record<string, string>;
  profile: string | null;
  home: string;
  projectRoot: string;
  projectTrusted: boolean;
  warnings: string[];
}

/** The same as formatConfigShow, for `statecraft config show --json`. */
export function configShowJson(loaded: LoadedConfig): ConfigShowJson {
  return {
    config: loaded.config,
    origins: loaded.origins,
    profile: loaded.profile,
    home: loaded.home,
    projectRoot: loaded.projectRoot,
    projectTrusted: loaded.projectTrusted,
    warnings: loaded.warnings,
  };
}
