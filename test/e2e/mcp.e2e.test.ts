import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { livePidsMatching } from '../support/processes.js';
import { fixtureToml } from '../support/mcp.fixture.js';
import { execCli, jsonEvents, scene, toolOutputsSeen, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

/** A scene whose config.toml lists MCP servers; each test's servers carry a marker so their processes can be found in /proc. */
async function mcpScene(script: Parameters<typeof scene>[0], servers: (marker: string) => string) {
  const s = (current = await scene(script));
  const marker = `--marker=${randomUUID()}`;
  await writeFile(join(s.home, 'config.toml'), servers(marker));
  return { s, marker };
}

const toolNamesOffered = (requests: unknown[]): string[] => ((requests[0] as { tools?: Array<{ name?: string }> }).tools ?? []).map((tool) => tool.name ?? '');

describe('exec with configured MCP servers (the fixture server, a real process)', () => {
  it("offers the server's tools, runs a read-only one without asking, shows it as mcp_tool_call items, and leaves no process behind", async () => {
    const { s, marker } = await mcpScene({ turns: [[{ call: 'mcp__fx__echo', args: { text: 'hi' } }], [{ text: 'Echoed.' }]] }, (m) =>
      fixtureToml('fx', {}, m),
    );
    const result = await execCli(s, ['--json', 'echo something']);
    expect(result.stderr).not.toMatch(/MCP server/);
    expect(result.exitCode).toBe(0);
    expect(toolNamesOffered(s.server.requests)).toEqual(expect.arrayContaining(['exec_command', 'mcp__fx__echo', 'mcp__fx__write_note']));
    const events = jsonEvents(result.stdout).filter((event) => event.item?.type === 'mcp_tool_call');
    expect(events.map((event) => event.type)).toEqual(['item.started', 'item.completed']);
    expect(events[0]!.item).toMatchObject({ server: 'fx', tool: 'echo', arguments: { text: 'hi' }, status: 'in_progress' });
    expect(events[1]!.item).toMatchObject({
      status: 'completed',
      result: { content: [{ type: 'text', text: 'echo: hi' }], structured_content: { echoed: 'hi' } },
    });
    expect(toolOutputsSeen(s.server.requests)).toEqual(['echo: hi']);
    expect(livePidsMatching(marker)).toEqual([]);
  });

  it('declines a tool that is not read-only under on-request when there is no terminal to ask, and the model is told', async () => {
    const { s } = await mcpScene({ turns: [[{ call: 'mcp__fx__write_note', args: { note: 'n' } }], [{ text: 'Declined.' }]] }, (m) => fixtureToml('fx', {}, m));
    const result = await execCli(s, ['--json', '-a', 'on-request', 'write a note']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/declined an approval request because there is no terminal/);
    const completed = jsonEvents(result.stdout).find((event) => event.type === 'item.completed' && event.item.type === 'mcp_tool_call');
    expect(completed?.item).toMatchObject({ tool: 'write_note', status: 'failed', error: { message: 'the user declined this MCP tool call' } });
    expect(toolOutputsSeen(s.server.requests)).toEqual(['the user declined this MCP tool call']);
  });

  it("declines a server's question when there is no terminal to ask, saying so, and the server hears decline", async () => {
    const { s } = await mcpScene({ turns: [[{ call: 'mcp__fx__ask', args: {} }], [{ text: 'No color.' }]] }, (m) => fixtureToml('fx', {}, m));
    const result = await execCli(s, ['--json', 'ask me']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'warning: declined a question because there is no terminal to ask on:\n  The MCP server fx asks: Which color should the note be?',
    );
    expect(toolOutputsSeen(s.server.requests)).toEqual([JSON.stringify({ action: 'decline' })]);
  });

  it('runs it without asking under never; a call past tool_timeout_sec fails its item and the turn goes on', async () => {
    const { s } = await mcpScene(
      {
        turns: [
          [
            { call: 'mcp__fx__write_note', args: { note: 'n' } },
            { call: 'mcp__fx__slow', args: { ms: 20_000 } },
          ],
          [{ text: 'Done.' }],
        ],
      },
      (m) => fixtureToml('fx', { tool_timeout_sec: 0.5 }, m),
    );
    const result = await execCli(s, ['--json', '-a', 'never', 'note and wait']);
    expect(result.exitCode).toBe(0);
    const completed = jsonEvents(result.stdout).filter((event) => event.type === 'item.completed' && event.item.type === 'mcp_tool_call');
    expect(completed.map((event) => [event.item.tool, event.item.status])).toEqual(
      expect.arrayContaining([
        ['write_note', 'completed'],
        ['slow', 'failed'],
      ]),
    );
    expect(toolOutputsSeen(s.server.requests)).toEqual(
      expect.arrayContaining(['noted: n', 'tool call timed out after 0.5 s (tool_timeout_sec of MCP server fx)']),
    );
    expect(jsonEvents(result.stdout).at(-1)).toMatchObject({ type: 'turn.completed' });
  });

  it('a server that cannot start is reported once with its stderr and the turn goes on with the others', async () => {
    const { s, marker } = await mcpScene(
      { turns: [[{ text: 'Fine without it.' }]] },
      (m) => fixtureToml('broken', {}, m, '--fail-start') + fixtureToml('fx', {}, m),
    );
    const result = await execCli(s, ['--json', 'hello']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr).match(/MCP server broken failed to start/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/missing FIXTURE_TOKEN/);
    expect(toolNamesOffered(s.server.requests)).toContain('mcp__fx__echo');
    expect(toolNamesOffered(s.server.requests).some((name) => name.startsWith('mcp__broken__'))).toBe(false);
    expect(livePidsMatching(marker)).toEqual([]);
  });

  it('a required server that cannot start stops the thread with the reason', async () => {
    const { s } = await mcpScene({ turns: [[{ text: 'never reached' }]] }, (m) => fixtureToml('needed', { required: true }, m, '--fail-start'));
    const result = await execCli(s, ['--json', 'hello']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/required MCP server could not start \(required = true\): MCP server needed failed to start/);
    expect(s.server.requests).toHaveLength(0);
  });

  it('names the file and key of a bad server table', async () => {
    const { s } = await mcpScene({ turns: [[{ text: 'never reached' }]] }, () => '[mcp_servers.nothing]\nargs = ["x"]\n');
    const result = await execCli(s, ['--json', 'hello']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('~/home/config.toml: mcp_servers.nothing: needs command (a stdio server');
  });
});
