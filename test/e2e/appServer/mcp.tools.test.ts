/** MCP tools through the app-server: mcpToolCall items and their approvals on the wire, checked against the reference schema. */
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { livePidsMatching } from '../../support/processes.js';
import { fixtureToml } from '../../support/mcp.fixture.js';
import { CLI, scenes, text } from './client.js';

const scene = scenes();

describe('app-server: tools of a configured MCP server', () => {
  it('asks before a tool that is not read-only, remembers accept-for-session per server and tool, and completes mcpToolCall items', async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'mcp__fx__write_note', args: { note: 'first' } }],
        [{ text: 'Noted once.' }],
        [{ call: 'mcp__fx__write_note', args: { note: 'second' } }],
        [{ text: 'Noted twice.' }],
      ],
    });
    const marker = `--marker=${scene.marker()}`;
    await appendFile(join(f.home, 'config.toml'), `\n${fixtureToml('fx', {}, marker)}`);
    const c = scene.connect(f, (msg) => (msg.method === 'item/commandExecution/requestApproval' ? { decision: 'acceptForSession' } : undefined));
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });

    await c.call('turn/start', { threadId: thread.id, input: text('note it') });
    const started = await c.waitFor('item/started', (m) => m.params.item.type === 'mcpToolCall');
    expect(started.params.item).toMatchObject({ server: 'fx', tool: 'write_note', arguments: { note: 'first' }, status: 'inProgress' });
    const asked = await c.waitFor('item/commandExecution/requestApproval');
    expect(asked.params).toMatchObject({ itemId: started.params.item.id, command: 'fx.write_note({"note":"first"})' });
    const done = await c.waitFor('item/completed', (m) => m.params.item.id === started.params.item.id);
    expect(done.params.item).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'noted: first' }] }, error: null });
    expect(done.params.item.durationMs).toEqual(expect.any(Number));
    await c.waitFor('turn/completed');

    const from = c.messages.length;
    await c.call('turn/start', { threadId: thread.id, input: text('again') });
    const second = await c.waitFor('item/completed', (m) => m.params.item.type === 'mcpToolCall', undefined, from);
    expect(second.params.item).toMatchObject({ status: 'completed', arguments: { note: 'second' } });
    await c.waitFor('turn/completed', undefined, undefined, from);
    expect(c.messages.filter((m) => m.method === 'item/commandExecution/requestApproval')).toHaveLength(1);

    expect(await c.close()).toBe(0);
    expect(livePidsMatching(marker)).toEqual([]);
  });
});

describe("app-server: an MCP server's question (elicitation/create)", () => {
  it('reaches the client as mcpServer/elicitation/request, and the accepted form goes back to the server', async () => {
    const f = await scene.open({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'Red it is.' }]] });
    const marker = `--marker=${scene.marker()}`;
    await appendFile(join(f.home, 'config.toml'), `\n${fixtureToml('fx', {}, marker)}`);
    const c = scene.connect(f, (msg) =>
      msg.method === 'mcpServer/elicitation/request' ? { action: 'accept', content: { color: 'red', urgent: false } } : undefined,
    );
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    const { turn } = await c.call('turn/start', { threadId: thread.id, input: text('ask me') });

    const asked = await c.waitFor('mcpServer/elicitation/request');
    expect(asked.params).toEqual({
      threadId: thread.id,
      turnId: turn.id,
      serverName: 'fx',
      mode: 'form',
      message: 'Which color should the note be?',
      requestedSchema: {
        type: 'object',
        properties: { color: { type: 'string', title: 'Color', enum: ['red', 'green'] }, urgent: { type: 'boolean', title: 'Urgent' } },
        required: ['color'],
      },
    });
    const resolved = await c.waitFor('serverRequest/resolved');
    expect(resolved.params).toEqual({ threadId: thread.id, requestId: asked.id });
    const done = await c.waitFor('item/completed', (m) => m.params.item.type === 'mcpToolCall');
    expect(done.params.item.result.content).toEqual([{ type: 'text', text: JSON.stringify({ action: 'accept', content: { color: 'red', urgent: false } }) }]);
    await c.waitFor('turn/completed');
    expect(await c.close()).toBe(0);
  });

  it('sends a decline back to the server, and the turn goes on', async () => {
    const f = await scene.open({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'No color then.' }]] });
    await appendFile(join(f.home, 'config.toml'), `\n${fixtureToml('fx', {}, `--marker=${scene.marker()}`)}`);
    const c = scene.connect(f, (msg) => (msg.method === 'mcpServer/elicitation/request' ? { action: 'decline' } : undefined));
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws });
    await c.call('turn/start', { threadId: thread.id, input: text('ask me') });
    const done = await c.waitFor('item/completed', (m) => m.params.item.type === 'mcpToolCall');
    expect(done.params.item.result.content).toEqual([{ type: 'text', text: JSON.stringify({ action: 'decline' }) }]);
    expect((await c.waitFor('turn/completed')).params.turn.status).toBe('completed');
    expect(await c.close()).toBe(0);
  });
});

describe('app-server: mcpServerStatus/list', () => {
  it("reports each configured server's state, identity and tools, pages, filters by name, and reads a loaded thread's connections", async () => {
    const f = await scene.open({ turns: [[{ text: 'Hello.' }]] });
    const marker = `--marker=${scene.marker()}`;
    await appendFile(join(f.home, 'config.toml'), `\n${fixtureToml('fx', {}, marker)}\n${fixtureToml('broken', {}, marker, '--fail-start')}`);
    const c = scene.connect(f);
    await c.init();

    const all = await c.call('mcpServerStatus/list', {});
    expect(all.nextCursor).toBeNull();
    const byName = Object.fromEntries(all.data.map((server: { name: string }) => [server.name, server]));
    expect(Object.keys(byName).sort()).toEqual(['broken', 'fx']);
    expect(byName.fx).toMatchObject({
      runtimeStatus: 'connected',
      authStatus: 'unsupported',
      serverInfo: { name: 'fixture', version: '1.0.0' },
      httpOrigin: null,
      toolsError: null,
      resources: [],
      resourceTemplates: [],
    });
    expect(byName.fx.tools.echo).toMatchObject({
      name: 'echo',
      description: 'Echoes its text back.',
      inputSchema: { type: 'object' },
      annotations: { readOnlyHint: true },
    });
    expect(byName.broken).toMatchObject({ runtimeStatus: 'failed', tools: {}, toolsError: expect.stringContaining('missing FIXTURE_TOKEN') });

    const first = await c.call('mcpServerStatus/list', { limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.nextCursor).toBe('1');
    const second = await c.call('mcpServerStatus/list', { limit: 1, cursor: first.nextCursor });
    expect(second.nextCursor).toBeNull();
    expect([first.data[0].name, second.data[0].name].sort()).toEqual(['broken', 'fx']);
    expect((await c.call('mcpServerStatus/list', { serverName: 'fx' })).data.map((server: { name: string }) => server.name)).toEqual(['fx']);
    // The servers started for the listing were let go.
    await vi.waitFor(() => expect(livePidsMatching(marker)).toEqual([]));

    const { thread } = await c.call('thread/start', { cwd: f.ws });
    await c.call('turn/start', { threadId: thread.id, input: text('hi') });
    await c.waitFor('turn/completed');
    const ofThread = await c.call('mcpServerStatus/list', { threadId: thread.id, serverName: 'fx' });
    expect(ofThread.data).toEqual([expect.objectContaining({ name: 'fx', runtimeStatus: 'connected' })]);
    const unknown = await c.request('mcpServerStatus/list', { threadId: 'no-such-thread' });
    expect(unknown.error).toMatchObject({ code: -32600, message: expect.stringContaining('is not loaded') });
    expect(await c.close()).toBe(0);
    expect(livePidsMatching(marker)).toEqual([]);
  });
});

describe('app-server: mcpServer/startupStatus/updated', () => {
  it("tells the client each server's start after thread/started: starting, then ready or failed with the reason", async () => {
    const f = await scene.open({ turns: [[{ text: 'Hello.' }]] });
    const marker = `--marker=${scene.marker()}`;
    await appendFile(join(f.home, 'config.toml'), `\n${fixtureToml('fx', {}, marker)}\n${fixtureToml('broken', {}, marker, '--fail-start')}`);
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws });
    await c.call('turn/start', { threadId: thread.id, input: text('hi') });
    await c.waitFor('turn/completed');
    const statuses = c.messages.filter((m) => m.method === 'mcpServer/startupStatus/updated').map((m) => m.params);
    const of = (name: string) => statuses.filter((status) => status.name === name).map(({ status, error }) => ({ status, error }));
    expect(of('fx')).toEqual([
      { status: 'starting', error: null },
      { status: 'ready', error: null },
    ]);
    expect(of('broken')).toEqual([
      { status: 'starting', error: null },
      { status: 'failed', error: expect.stringMatching(/^MCP server broken failed to start: .*missing FIXTURE_TOKEN/s) },
    ]);
    expect(statuses.every((status) => status.threadId === thread.id)).toBe(true);
    const started = c.messages.findIndex((m) => m.method === 'thread/started');
    expect(c.messages.findIndex((m) => m.method === 'mcpServer/startupStatus/updated')).toBeGreaterThan(started);
    expect(await c.close()).toBe(0);
  });
});

describe('app-server: statecraft delegating to `statecraft mcp-server`', () => {
  it("passes the inner agent's approval question to the outer client, and the inner command runs once accepted", async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'mcp__inner__statecraft', args: { prompt: 'make the file', 'approval-policy': 'untrusted', sandbox: 'workspace-write' } }],
        [{ call: 'exec_command', args: { cmd: 'touch made-by-inner' } }],
        [{ text: 'Inner: made it.' }],
        [{ text: 'Outer: the inner agent made it.' }],
      ],
    });
    const innerHome = join(f.root, 'inner-home');
    await mkdir(innerHome);
    await copyFile(join(f.home, 'config.toml'), join(innerHome, 'config.toml'));
    await appendFile(
      join(f.home, 'config.toml'),
      [
        '\n[mcp_servers.inner]',
        `command = ${JSON.stringify(process.execPath)}`,
        `args = [${JSON.stringify(CLI)}, "mcp-server"]`,
        `cwd = ${JSON.stringify(f.ws)}`,
        `env = { STATECRAFT_HOME = ${JSON.stringify(innerHome)}, OPENAI_API_KEY = "" }`,
        '',
      ].join('\n'),
    );
    const c = scene.connect(f, (msg) => (msg.method === 'mcpServer/elicitation/request' ? { action: 'accept', content: { decision: 'accept' } } : undefined));
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never' });
    await c.call('turn/start', { threadId: thread.id, input: text('delegate') });
    const asked = await c.waitFor('mcpServer/elicitation/request', undefined, 60_000);
    expect(asked.params).toMatchObject({ threadId: thread.id, serverName: 'inner', mode: 'form', message: expect.stringContaining('touch made-by-inner') });
    expect(asked.params.requestedSchema.properties.decision.enum).toContain('accept');
    const done = await c.waitFor('item/completed', (m) => m.params.item.type === 'mcpToolCall', 60_000);
    expect(done.params.item).toMatchObject({ server: 'inner', tool: 'statecraft', status: 'completed' });
    await c.waitFor('turn/completed', undefined, 60_000);
    expect(existsSync(join(f.ws, 'made-by-inner'))).toBe(true);
    expect(await c.close()).toBe(0);
  });
});
