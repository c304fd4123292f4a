/** `statecraft mcp-server` with the SDK's Client: handshake, a text turn, replies (live and after a restart), concurrent calls. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { rolloutFiles } from '../appServer/client.js';
import { eventsOf, mcpScenes, textOf } from './harness.js';

type Json = any;

const scene = mcpScenes();

/** The user and assistant texts a model request carried, in order. */
const conversation = (request: Json): string[] =>
  (request.input as Json[])
    .filter((item) => item.type === 'message' && (item.role === 'user' || item.role === 'assistant'))
    .map((item) => (item.content as Json[]).map((part) => part.text as string).join(''))
    .filter((text) => !text.startsWith('<'));

describe('mcp-server: tools', () => {
  it('offers both tools with schemas and descriptions', async () => {
    const f = await scene.open({ turns: [] });
    const c = await scene.connect(f);
    expect(c.client.getServerVersion()?.name).toBe('statecraft');
    expect(c.client.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await c.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['statecraft', 'statecraft-reply']);
    const [start, reply] = tools as Json[];
    expect(start.inputSchema.required).toEqual(['prompt']);
    expect(Object.keys(start.inputSchema.properties)).toEqual([
      'prompt',
      'model',
      'profile',
      'cwd',
      'approval-policy',
      'sandbox',
      'config',
      'base-instructions',
      'developer-instructions',
    ]);
    for (const property of Object.values<Json>(start.inputSchema.properties)) expect(property.description).toMatch(/\w/);
    expect(start.inputSchema.properties['approval-policy'].enum).toEqual(['untrusted', 'on-failure', 'on-request', 'never']);
    expect(reply.inputSchema.required.sort()).toEqual(['prompt', 'threadId']);
    expect(start.outputSchema.required.sort()).toEqual(['content', 'threadId']);
    // Logs go to stderr only: nothing but JSON-RPC came on stdout (the SDK client would have failed to parse it).
    await c.close();
  });
});

describe('mcp-server: statecraft tool', () => {
  it('runs a text turn: the last agent message as text and structuredContent, events and progress tied to the call', async () => {
    const f = await scene.open({ turns: [[{ text: 'Hello from the agent', chunks: ['Hello ', 'from ', 'the agent'] }]] });
    // Spawned with its pipes in reach: the SDK client drops progress that arrives in the same read as the answer, the wire keeps it.
    const c = await scene.spawn(f);
    const result = await c.call('statecraft', { prompt: 'say hello', cwd: f.ws }, { onprogress: () => {} });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('Hello from the agent');
    const structured = result.structuredContent as Json;
    expect(structured.content).toBe('Hello from the agent');
    expect(structured.threadId).toMatch(/^[0-9a-f-]{36}$/);

    // Every event carries the thread and the request id of the call.
    const call = c.transport.lines.find((line) => line.result?.structuredContent);
    const methods = c.events.map((event) => event.event.method);
    expect(methods).toContain('thread/started');
    expect(methods).toContain('turn/started');
    expect(eventsOf(c.events, 'item/agentMessage/delta').map((event) => event.event.params.delta)).toEqual(['Hello ', 'from ', 'the agent']);
    expect(methods.at(-1)).toBe('turn/completed');
    expect(new Set(c.events.map((event) => event.threadId))).toEqual(new Set([structured.threadId]));
    expect(new Set(c.events.map((event) => event._meta.requestId))).toEqual(new Set([call.id]));

    // One progress notification per event, before the answer, with the caller's token, counting up, with a readable message.
    const progress = c.transport.lines.filter((line) => line.method === 'notifications/progress').map((line) => line.params);
    expect(progress).toHaveLength(c.events.length);
    expect(c.transport.lines.indexOf(call)).toBeGreaterThan(c.transport.lines.findLastIndex((line) => line.method === 'notifications/progress'));
    expect(new Set(progress.map((p) => typeof p.progressToken))).toEqual(new Set(['number']));
    expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.map((p) => p.message)).toContain('Hello ');
    expect(progress.at(-1).message).toBe('turn completed');

    // The user's prompt reached the model, which was told who the client is; the client's name is the thread's originator.
    expect(conversation(f.model.requests[0])).toEqual(['say hello']);
    expect(f.model.headers[0]!['user-agent']).toMatch(/^mcp-e2e-raw\/\S+ \(.+; .+\) \S+ \(mcp-e2e-raw; 0\.0\.1\)$/);
    await c.close();
    const [rollout] = await rolloutFiles(f.home);
    expect(JSON.parse((await readFile(rollout!, 'utf8')).split('\n')[0]!).thread.originator).toBe('mcp-e2e-raw');
  });

  it('a failed turn is a tool error with the reason, and still names the thread', async () => {
    const f = await scene.open({ turns: [{ error: { status: 400, message: 'the scripted model refuses' } }] });
    const c = await scene.connect(f);
    const result = await c.call('statecraft', { prompt: 'fail please', cwd: f.ws });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^the turn failed: .*the scripted model refuses/);
    expect((result.structuredContent as Json).threadId).toMatch(/^[0-9a-f-]{36}$/);
    await c.close();
  });

  it('applies the parameters and config overrides to the thread', async () => {
    const f = await scene.open({ turns: [[{ text: 'configured' }]] });
    const c = await scene.connect(f);
    const result = await c.call('statecraft', {
      prompt: 'go',
      cwd: f.ws,
      model: 'model-from-param',
      'base-instructions': 'BASE INSTRUCTIONS FROM THE CALL',
      'developer-instructions': 'DEVELOPER NOTE FROM THE CALL',
      config: { model_reasoning_effort: 'high', 'sandbox_workspace_write.network_access': true, sandbox_mode: 'workspace-write' },
    });
    expect(result.isError).toBeFalsy();
    const request = f.model.requests[0] as Json;
    expect(request.model).toBe('model-from-param');
    expect(request.instructions).toBe('BASE INSTRUCTIONS FROM THE CALL');
    expect(JSON.stringify(request.input)).toContain('DEVELOPER NOTE FROM THE CALL');
    expect(request.reasoning.effort).toBe('high');
    expect(JSON.stringify(request.input)).toMatch(/<network_access>enabled<\/network_access>/);
    await c.close();
  });

  it('a config value TOML cannot hold, or of the wrong type, is a clear tool error and the server goes on', async () => {
    const f = await scene.open({ turns: [[{ text: 'still serving' }]] });
    const c = await scene.connect(f);
    const withNull = await c.call('statecraft', { prompt: 'go', cwd: f.ws, config: { sandbox_workspace_write: { network_access: null } } });
    expect(withNull.isError).toBe(true);
    expect(textOf(withNull)).toMatch(/network_access: null has no TOML form/);
    expect(textOf(withNull)).toMatch(/config\.sandbox_workspace_write/);
    const wrongType = await c.call('statecraft', { prompt: 'go', cwd: f.ws, config: { 'sandbox_workspace_write.network_access': 'yes' } });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toMatch(/sandbox_workspace_write\.network_access: expected a boolean, found "yes"/);
    expect(f.model.requests).toHaveLength(0);
    expect(textOf(await c.call('statecraft', { prompt: 'go', cwd: f.ws }))).toBe('still serving');
    await c.close();
  });
});

describe('mcp-server: statecraft-reply', () => {
  it('continues a thread the server holds, with its conversation', async () => {
    const f = await scene.open({ turns: [[{ text: 'first answer' }], [{ text: 'second answer' }]] });
    const c = await scene.connect(f);
    const first = await c.call('statecraft', { prompt: 'first question', cwd: f.ws });
    const threadId = (first.structuredContent as Json).threadId as string;
    const second = await c.call('statecraft-reply', { threadId, prompt: 'second question' });
    expect(second.isError).toBeFalsy();
    expect(second.structuredContent).toEqual({ threadId, content: 'second answer' });
    expect(conversation(f.model.requests[1])).toEqual(['first question', 'first answer', 'second question']);
    await c.close();
  });

  it('continues a thread recorded by an earlier server process, from its rollout', async () => {
    const f = await scene.open({ turns: [[{ text: 'before the restart' }], [{ text: 'after the restart' }]] });
    const first = await scene.connect(f);
    const threadId = ((await first.call('statecraft', { prompt: 'remember this', cwd: f.ws })).structuredContent as Json).threadId as string;
    await first.close();

    const second = await scene.connect(f);
    const result = await second.call('statecraft-reply', { threadId, prompt: 'what came before?' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ threadId, content: 'after the restart' });
    expect(conversation(f.model.requests[1])).toEqual(['remember this', 'before the restart', 'what came before?']);
    expect(new Set(second.events.map((event) => event.threadId))).toEqual(new Set([threadId]));
    await second.close();
  });

  it('an unknown thread id is a clear tool error', async () => {
    const f = await scene.open({ turns: [] });
    const c = await scene.connect(f);
    const result = await c.call('statecraft-reply', { threadId: '00000000-0000-4000-8000-000000000000', prompt: 'hello?' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/cannot continue thread 00000000-0000-4000-8000-000000000000: no thread with id/);
    expect(f.model.requests).toHaveLength(0);
    await c.close();
  });
});

describe('mcp-server: many calls at once', () => {
  it('runs concurrent calls as independent threads in one process', async () => {
    const f = await scene.open({
      turns: [[{ text: 'an answer', chunks: ['an ', 'answer'], delayMs: 50 }], [{ text: 'an answer', chunks: ['an ', 'answer'], delayMs: 50 }]],
    });
    const c = await scene.connect(f);
    const [a, b] = await Promise.all([c.call('statecraft', { prompt: 'task A', cwd: f.ws }), c.call('statecraft', { prompt: 'task B', cwd: f.ws })]);
    expect(a.isError).toBeFalsy();
    expect(b.isError).toBeFalsy();
    const [threadA, threadB] = [(a.structuredContent as Json).threadId, (b.structuredContent as Json).threadId];
    expect(threadA).not.toBe(threadB);
    // Each call's events are its own thread's, tied to its own request.
    const byRequest = new Map<number, Set<string>>();
    for (const event of c.events) byRequest.set(event._meta.requestId, (byRequest.get(event._meta.requestId) ?? new Set()).add(event.threadId));
    expect([...byRequest.values()].map((threads) => [...threads])).toEqual(expect.arrayContaining([[threadA], [threadB]]));
    expect(byRequest.size).toBe(2);
    expect(f.model.requests.map((request) => conversation(request)[0]).sort()).toEqual(['task A', 'task B']);
    await c.close();
  });
});
