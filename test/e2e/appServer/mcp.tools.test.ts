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
