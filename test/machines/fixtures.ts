import { emptyUsage, referenceOnlyThreadFields, type Thread, type ThreadSettings } from '../../protocol/index.js';
import type { Clock, TurnInput } from '../../machines/index.js';

/**
 * A clock that never moves: item timestamps are then the same in equal situations, so graph
 * walks fold equal states together instead of unrolling every order.
 */
export const fixedClock: Clock = { nowMs: () => 1_700_000_000_000 };

/** Settings as config resolution would produce them, for machine tests. */
export const settingsFixture = (over: Partial<ThreadSettings> = {}): ThreadSettings => ({
  model: 'gpt-5.5',
  provider: {
    id: 'scripted',
    name: 'Scripted',
    baseUrl: 'http://127.0.0.1:9/v1',
    wireApi: 'responses',
    envKey: null,
    httpHeaders: {},
    envHttpHeaders: {},
    queryParams: {},
    requestMaxRetries: 1,
    streamMaxRetries: 1,
    streamIdleTimeoutMs: 1000,
    requiresOpenaiAuth: false,
    credentialsStore: 'auto',
  },
  reasoningEffort: 'medium',
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
  cwd: '/ws',
  shell: '/bin/bash',
  tools: { viewImage: true },
  features: {},
  baseInstructions: null,
  developerInstructions: null,
  modelContextWindow: 258400,
  autoCompactTokenLimit: null,
  compactPrompt: null,
  projectTrusted: true,
  ephemeral: true,
  trace: false,
  ...over,
});

export const turnInputFixture = (over: Partial<TurnInput> = {}): TurnInput => ({
  threadId: 'th',
  turnId: 'tu',
  settings: settingsFixture(),
  history: [],
  userInput: [{ type: 'text', text: 'hello', text_elements: [] }],
  userMessageId: 'user-1',
  sessionGrants: [],
  usageTotal: emptyUsage(),
  contextMeasure: null,
  compactOnly: false,
  clock: fixedClock,
  ...over,
});

/** A configured thread record as the session holds it. */
export const threadFixture = (over: Partial<Thread> = {}): Thread => ({
  id: 'th',
  sessionId: 'th',
  preview: '',
  ephemeral: true,
  modelProvider: 'scripted',
  model: 'gpt-5.5',
  reasoningEffort: 'medium',
  createdAt: 1,
  updatedAt: 1,
  status: { type: 'idle' },
  path: null,
  cwd: '/ws',
  cliVersion: '0.1.0',
  originator: 'test',
  source: 'exec',
  gitInfo: null,
  name: null,
  turns: [],
  environments: null,
  recencyAt: null,
  ...referenceOnlyThreadFields(),
  ...over,
});
