/** MCP tools through the app-server: mcpToolCall items and their approvals on the wire, checked against the reference schema. */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livePidsMatching } from '../../support/processes.js';
import { fixtureToml } from '../../support/mcp.fixture.js';
import { scenes, text } from './client.js';

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
