import { randomUUID } from 'node:crypto';
import { loadConfig, resolveThreadSettings, statecraftHome } from '../config/index.js';
import type { McpConnections } from '../mcp/index.js';
import { fetchServedModels } from '../model/index.js';
import { discoverSkills } from '../prompt/index.js';
import type { SessionSource, SkillsOutcome } from '../../protocol/index.js';
import { ModelLists } from './model.list.js';
import type { Runtime } from './thread.runtime.js';
import { removeStaleTurnDiffs } from './turn.diff.js';

export interface RuntimeOptions {
  env: NodeJS.ProcessEnv;
  /** The directory threads start in unless a client names another. */
  cwd: string;
  source: SessionSource;
  originator: string;
  cliVersion: string;
  /** The user agent model requests carry. */
  userAgent?: string;
  /** Raw `-c key=value` flags, applied to every thread. */
  configOverrides?: string[];
  profile?: string;
  /** Where config warnings (unknown keys and the like) and other non-fatal problems are reported. */
  onWarning?: (message: string) => void;
}

/** The process-wide runtime: config resolution per thread, the sandbox probe once. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const home = statecraftHome(options.env);
  await removeStaleTurnDiffs(home);
  // Each warning once per process: a broken rule file is met at every policy check.
  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    options.onWarning?.(message);
  };
  // A provider's model list is asked for once and reused for a few minutes.
  const modelLists = new ModelLists((provider) =>
    fetchServedModels(provider, { env: options.env, home, ...(options.userAgent ? { userAgent: options.userAgent } : {}) }),
  );
  // Skills are read once per working directory and reused until a client asks for a reload.
  const skillsByCwd = new Map<string, Promise<SkillsOutcome>>();
  let mcp: Promise<McpConnections> | undefined;
  const connections = () => {
    mcp ??= import('../mcp/index.js').then(({ McpConnections }) => new McpConnections(options.env, options.cliVersion, warn));
    return mcp;
  };
  const resolveSettings: Runtime['resolveSettings'] = async (requested) => {
    const overrides = { ...requested, cwd: requested.cwd ?? options.cwd };
    const loaded = await loadConfig({
      cwd: overrides.cwd,
      env: options.env,
      home,
      profile: overrides.profile ?? options.profile,
      overrides: options.configOverrides ?? [],
      extraLayers: overrides.config,
    });
    for (const warning of loaded.warnings) warn(warning);
    return resolveThreadSettings(loaded, overrides, options.env);
  };
  return {
    home,
    env: options.env,
    // Probed when the first command is judged: a turn that runs none spawns nothing, nor loads the sandbox's code.
    async sandboxAvailable() {
      const { probeSandbox } = await import('../exec/sandbox.js');
      const sandbox = await probeSandbox();
      if (!sandbox.available) {
        warn(`the sandbox is unavailable: ${sandbox.reason}. Commands that need it will ask for approval first (or be refused under approval policy never).`);
      }
      return sandbox.available;
    },
    source: options.source,
    originator: options.originator,
    cliVersion: options.cliVersion,
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    warn,
    mcp: connections,
    async mcpStatus() {
      const settings = await resolveSettings({});
      const servers = settings.mcpServers ?? [];
      if (servers.length === 0) return [];
      // Nobody to ask while listing: a server's question gets no.
      const listing = (await connections()).acquire(`mcp-status-${randomUUID()}`, servers, [settings.cwd], () =>
        Promise.resolve({ action: 'decline', content: null }),
      );
      try {
        await listing.settled();
        return listing.report();
      } finally {
        await listing.release();
      }
    },
    skills(cwd, projectTrusted, forceReload = false) {
      const key = `${projectTrusted ? 'trusted' : 'untrusted'}:${cwd}`;
      let outcome = forceReload ? undefined : skillsByCwd.get(key);
      if (!outcome) {
        outcome = discoverSkills(home, cwd, projectTrusted);
        skillsByCwd.set(key, outcome);
      }
      return outcome;
    },
    async models(requested) {
      const settings = await resolveSettings(requested);
      return modelLists.list(settings.provider, settings.model);
    },
    resolveSettings,
  };
}
