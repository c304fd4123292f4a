import { resolve } from 'node:path';
import type { ThreadSettings } from '../../protocol/index.js';
import type { SandboxSpec } from '../exec/index.js';

/**
 * What the sandbox lets a command write: the thread's working directory, the configured
 * roots and the temp directories. Never the directory a call asks to run in: a workdir
 * is where a command starts, not something it may write.
 */
export function sandboxFor(settings: ThreadSettings, env: NodeJS.ProcessEnv = process.env): SandboxSpec | null {
  if (settings.sandboxMode === 'danger-full-access') return null;
  if (settings.sandboxMode === 'read-only') return { mode: 'read-only', writableRoots: [], networkAccess: settings.networkAccess };
  const tmpdirVar = env['TMPDIR'] && !settings.excludeTmpdirEnvVar ? [resolve(env['TMPDIR'])] : [];
  const slashTmp = settings.excludeSlashTmp ? [] : ['/tmp'];
  const roots = new Set([settings.cwd, ...settings.writableRoots, ...tmpdirVar, ...slashTmp]);
  return { mode: 'workspace-write', writableRoots: [...roots], networkAccess: settings.networkAccess };
}
