import { emptyUsage, type ThreadSettings } from '../../protocol/index.js';
import type { TurnInput } from '../../machines/index.js';

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
  },
  reasoningEffort: 'medium',
  reasoningSummary: 'auto',
  approvalPolicy: 'on-request',
  sandboxMode: 'workspace-write',
  writableRoots: [],
  networkAccess: false,
  cwd: '/ws',
  shell: '/bin/bash',
  tools: { viewImage: true },
  features: {},
  baseInstructions: null,
  developerInstructions: null,
  modelContextWindow: 258400,
  projectTrusted: true,
  ephemeral: true,
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
  ...over,
});
