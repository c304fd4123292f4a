import { afterEach } from 'vitest';
import { startScriptedServer, streamModel, type ModelRequest, type Script, type ScriptedServer } from '../../../actors/model/index.js';
import type { ModelStreamEvent } from '../../../protocol/modelStream.schema.js';
import type { ProviderSettings } from '../../../protocol/settings.schema.js';

/** Fast retries for tests. */
export const TEST_ENV: NodeJS.ProcessEnv = { STATECRAFT_RETRY_BASE_MS: '5' };

export const provider = (baseUrl: string, overrides: Partial<ProviderSettings> = {}): ProviderSettings => ({
  id: 'scripted',
  name: 'scripted',
  baseUrl,
  wireApi: 'responses',
  envKey: null,
  httpHeaders: {},
  envHttpHeaders: {},
  queryParams: {},
  requestMaxRetries: 3,
  streamMaxRetries: 3,
  streamIdleTimeoutMs: 5_000,
  requiresOpenaiAuth: false,
  credentialsStore: 'auto',
  ...overrides,
});

export const request = (settings: ProviderSettings, overrides: Partial<ModelRequest> = {}): ModelRequest => ({
  provider: settings,
  model: 'test-model',
  threadId: 'thread-1',
  instructions: 'Be brief.',
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  tools: [],
  reasoningEffort: 'medium',
  reasoningSummary: 'auto',
  parallelToolCalls: true,
  ...overrides,
});

export async function collect(iterable: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A scripted server closed after the test. */
export async function serve(script: Script): Promise<ScriptedServer> {
  const server = await startScriptedServer({ script });
  servers.push(server);
  return server;
}

/** Serve `script` and run one streamModel request against it. */
export async function run(
  script: Script,
  overrides: Partial<ProviderSettings> = {},
  env: NodeJS.ProcessEnv = TEST_ENV,
): Promise<{ server: ScriptedServer; events: ModelStreamEvent[] }> {
  const server = await serve(script);
  const events = await collect(streamModel(request(provider(server.url, overrides)), { signal: new AbortController().signal, env }));
  return { server, events };
}

export const ofType = <T extends ModelStreamEvent['type']>(events: ModelStreamEvent[], type: T) =>
  events.filter((event): event is Extract<ModelStreamEvent, { type: T }> => event.type === type);
