import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defaultLayer } from './config.defaults.js';
import { ConfigError } from './config.error.js';
import { readConfigFile } from './config.file.js';
import { leafPaths, mergeTables } from './config.merge.js';
import { overridesTable, parseOverride } from './config.override.js';
import { anchorInstructionsFiles, displayPath, statecraftHome } from './config.paths.js';
import { EffectiveConfig, type ConfigLayerTable } from './config.schema.js';
import { validateLayer } from './config.validate.js';
import { formatKeyPath, getPath, type Table } from './key.path.js';
import { findProjectRoot, isProjectTrusted } from './project.trust.js';

const DEFAULT_SYSTEM_DIR = '/etc/statecraft';

/** Where a layer sits in the stack; the order of this list is the order of precedence. */
const LAYER_KINDS = ['default', 'system', 'user', 'project', 'profile', 'override', 'thread', 'managed'] as const;
type LayerKind = (typeof LAYER_KINDS)[number];

export interface ConfigLayer {
  kind: LayerKind;
  /** How origins name it: 'default', a file path, 'profile:<name>', '-c', 'thread config'. */
  label: string;
  /** Validated values, unknown keys already dropped. */
  values: Table;
}

export interface LoadConfigOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The statecraft home; statecraftHome(env) when absent. */
  home?: string;
  /** Holds the system config.toml and managed_config.toml; /etc/statecraft when absent. */
  systemDir?: string;
  /** The profile to apply (`-p`); wins over `profile = "..."` in config. */
  profile?: string;
  /** Raw `-c key=value` flags, in command-line order. */
  overrides?: string[];
  /** A client's config object (app-server thread/start `config`), applied above the -c flags. */
  extraLayers?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: EffectiveConfig;
  /** Dotted key → label of the layer its value came from. */
  origins: Record<string, string>;
  /** Problems worth telling the user about that did not stop loading (unknown keys, ignored files). */
  warnings: string[];
  home: string;
  cwd: string;
  projectRoot: string;
  projectTrusted: boolean;
  /** The profile applied, if any. */
  profile: string | null;
  /** The profile named by option (`-p`), which wins over `profile = "..."` in any layer. */
  requestedProfile: string | null;
  /** The layers in precedence order, lowest first; the profile layer included when one applies. */
  layers: readonly ConfigLayer[];
}

/** Reads every config layer that applies to `cwd` and merges them, lowest precedence first. */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const home = options.home ?? statecraftHome(env);
  const systemDir = options.systemDir ?? DEFAULT_SYSTEM_DIR;
  const cwd = resolve(options.cwd);
  const warnings: string[] = [];

  const fileLayer = async (kind: LayerKind, file: string): Promise<ConfigLayer[]> => {
    const raw = await readConfigFile(file);
    if (raw === null) return [];
    const checked = validateLayer(raw, file);
    warnings.push(...checked.warnings);
    return [{ kind, label: displayPath(file, env), values: anchorInstructionsFiles(checked.values, dirname(file), env) }];
  };

  const userFile = join(home, 'config.toml');
  const system = await fileLayer('system', join(systemDir, 'config.toml'));
  const user = await fileLayer('user', userFile);
  const projectRoot = await findProjectRoot(cwd);
  const trustSource = [...system, ...user].reduce<Table>((merged, layer) => mergeTables(merged, layer.values), {});
  const projectTrusted = isProjectTrusted((trustSource as ConfigLayerTable).projects, projectRoot, cwd);

  const projectFile = join(projectRoot, '.statecraft', 'config.toml');
  let project: ConfigLayer[] = [];
  // A project whose root is the home directory would read the user file twice.
  if (resolve(projectFile) !== resolve(userFile)) {
    if (projectTrusted) project = await fileLayer('project', projectFile);
    else if (await fileExists(projectFile)) {
      warnings.push(
        `${displayPath(projectFile, env)}: ignored because ${projectRoot} is not a trusted project ` +
          `(trust it with [projects.${JSON.stringify(projectRoot)}] trust_level = "trusted" in ${displayPath(userFile, env)})`,
      );
    }
  }

  const flags = (options.overrides ?? []).map((raw): ConfigLayer => {
    const checked = validateLayer(parseOverride(raw), `-c ${raw}`);
    warnings.push(...checked.warnings);
    return { kind: 'override', label: '-c', values: anchorInstructionsFiles(checked.values, cwd, env) };
  });
  const thread = options.extraLayers ? [threadLayer(options.extraLayers, cwd, env, warnings)] : [];
  const managed = [...(await fileLayer('managed', join(home, 'managed_config.toml'))), ...(await fileLayer('managed', join(systemDir, 'managed_config.toml')))];

  const defaults: ConfigLayer = { kind: 'default', label: 'default', values: defaultLayer() };
  const stack = [defaults, ...system, ...user, ...project, ...flags, ...thread, ...managed];
  const requestedProfile = options.profile ?? null;
  return { ...assemble(stack, requestedProfile), requestedProfile, warnings, home, cwd, projectRoot, projectTrusted };
}

/** A client's config object as a layer; its relative paths are relative to the thread's cwd. */
export function threadLayer(record: Readonly<Record<string, unknown>>, cwd: string, env: NodeJS.ProcessEnv, warnings: string[]): ConfigLayer {
  const source = 'thread config';
  const checked = validateLayer(overridesTable(record, source), source);
  warnings.push(...checked.warnings);
  return { kind: 'thread', label: source, values: anchorInstructionsFiles(checked.values, cwd, env) };
}

/**
 * Rebuilds a loaded config with a thread's own config object and profile, keeping every
 * other layer (managed ones still on top).
 */
export function restack(loaded: LoadedConfig, thread: ConfigLayer | null, profile: string | undefined): LoadedConfig {
  const kept = loaded.layers.filter((layer) => layer.kind !== 'profile' && (thread === null || layer.kind !== 'thread'));
  const stack = thread === null ? kept : insertByKind(kept, thread);
  const requestedProfile = profile ?? loaded.requestedProfile;
  return { ...loaded, ...assemble(stack, requestedProfile), requestedProfile };
}

type Assembled = Pick<LoadedConfig, 'config' | 'origins' | 'profile' | 'layers'>;

/** Picks the profile from the stack, slots it in above the project layer and merges everything. */
function assemble(stack: ConfigLayer[], requestedProfile: string | null): Assembled {
  const base = mergeLayers(stack);
  const profile = requestedProfile ?? (base as ConfigLayerTable).profile ?? null;
  const layers = profile === null ? stack : insertByKind(stack, profileLayer(base, stack, profile, requestedProfile !== null));
  const merged = mergeLayers(layers);
  return { config: EffectiveConfig.parse(merged), origins: originsOf(merged, layers), profile, layers };
}

function profileLayer(base: Table, stack: ConfigLayer[], name: string, fromOption: boolean): ConfigLayer {
  const profiles = (base as ConfigLayerTable).profiles ?? {};
  const table = profiles[name];
  if (table === undefined) {
    const known = Object.keys(profiles).sort();
    const source = fromOption ? `--profile ${name}` : (originOf(['profile'], stack) ?? 'config');
    throw new ConfigError(
      'profile',
      source,
      'profile',
      `profile "${name}" is not defined; ${known.length ? `defined profiles: ${known.join(', ')}` : `add a [profiles.${formatKeyPath([name])}] table`}`,
    );
  }
  return { kind: 'profile', label: `profile:${name}`, values: table };
}

function mergeLayers(layers: readonly ConfigLayer[]): Table {
  return layers.reduce<Table>((merged, layer) => mergeTables(merged, layer.values), {});
}

function insertByKind(stack: readonly ConfigLayer[], layer: ConfigLayer): ConfigLayer[] {
  const rank = LAYER_KINDS.indexOf(layer.kind);
  const at = stack.findIndex((other) => LAYER_KINDS.indexOf(other.kind) > rank);
  return at < 0 ? [...stack, layer] : [...stack.slice(0, at), layer, ...stack.slice(at)];
}

function originsOf(merged: Table, layers: readonly ConfigLayer[]): Record<string, string> {
  return Object.fromEntries(leafPaths(merged).map((path) => [formatKeyPath(path), originOf(path, layers) ?? 'default']));
}

/** The label of the highest layer that sets the key. */
function originOf(path: readonly string[], layers: readonly ConfigLayer[]): string | undefined {
  return layers.findLast((layer) => getPath(layer.values, path) !== undefined)?.label;
}

async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
