import { loadConfig, resolveThreadSettings, statecraftHome } from '../config/index.js';
import { probeSandbox } from '../exec/index.js';
import type { Runtime } from './thread.runtime.js';

export interface RuntimeOptions {
  env: NodeJS.ProcessEnv;
  /** The directory threads start in unless a client names another. */
  cwd: string;
  source: string;
  originator: string;
  cliVersion: string;
  /** Raw `-c key=value` flags, applied to every thread. */
  configOverrides?: string[];
  profile?: string;
  /** Where config warnings (unknown keys and the like) and other non-fatal problems are reported. */
  onWarning?: (message: string) => void;
}

/** The process-wide runtime: config resolution per thread, the sandbox probe once. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const home = statecraftHome(options.env);
  const sandbox = await probeSandbox();
  return {
    home,
    env: options.env,
    sandboxAvailable: sandbox.available,
    source: options.source,
    originator: options.originator,
    cliVersion: options.cliVersion,
    warn: (message) => options.onWarning?.(message),
    async resolveSettings(requested) {
      const overrides = { ...requested, cwd: requested.cwd ?? options.cwd };
      const loaded = await loadConfig({
        cwd: overrides.cwd,
        env: options.env,
        home,
        profile: overrides.profile ?? options.profile,
        overrides: options.configOverrides ?? [],
        extraLayers: overrides.config,
      });
      for (const warning of loaded.warnings) options.onWarning?.(warning);
      return resolveThreadSettings(loaded, overrides, options.env);
    },
  };
}
