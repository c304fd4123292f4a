import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ThreadSettings } from '../../../protocol/index.js';

export function settingsFor(cwd: string, overrides: Partial<ThreadSettings> = {}): ThreadSettings {
  return {
    model: 'test-model',
    provider: {
      id: 'test',
      name: 'Test',
      baseUrl: 'http://127.0.0.1:1/v1',
      wireApi: 'responses',
      envKey: null,
      httpHeaders: {},
      envHttpHeaders: {},
      queryParams: {},
      requestMaxRetries: 0,
      streamMaxRetries: 0,
      streamIdleTimeoutMs: 1000,
      requiresOpenaiAuth: false,
      credentialsStore: 'auto',
    },
    reasoningEffort: null,
    reasoningSummary: 'auto',
    verbosity: null,
    webSearch: 'disabled',
    outputSchema: null,
    approvalPolicy: 'on-request',
    sandboxMode: 'workspace-write',
    writableRoots: [],
    networkAccess: false,
    excludeSlashTmp: false,
    excludeTmpdirEnvVar: false,
    shellEnvironmentPolicy: { inherit: 'all', ignoreDefaultExcludes: false, exclude: [], set: {}, includeOnly: [] },
    cwd,
    shell: '/bin/bash',
    tools: { viewImage: true },
    features: {},
    baseInstructions: null,
    developerInstructions: null,
    modelContextWindow: null,
    autoCompactTokenLimit: null,
    compactPrompt: null,
    projectTrusted: true,
    ephemeral: false,
    trace: false,
    ...overrides,
  };
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'statecraft-prompt-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A valid 1x1 PNG. */
export const TINY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
  'hex',
);
