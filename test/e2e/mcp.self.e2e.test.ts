import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../support/appServer.js';
import { execCli, jsonEvents, scene, toolOutputsSeen, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

describe('statecraft as an MCP server of statecraft', () => {
  it("hands a task to `statecraft mcp-server` through the MCP client, and the inner thread's answer comes back as the tool's result", async () => {
    // The scripted model answers in the order it is asked: the outer turn calls the tool, the inner turn answers, then the outer one does.
    const s = (current = await scene({
      turns: [
        [{ call: 'mcp__inner__statecraft', args: { prompt: 'say what the inner agent sees' } }],
        [{ text: 'The inner agent saw an empty folder.' }],
        [{ text: 'The inner agent reported back.' }],
      ],
    }));
    const innerHome = join(s.root, 'inner-home');
    await mkdir(innerHome);
    await writeFile(
      join(innerHome, 'config.toml'),
      ['model_provider = "scripted"', '', '[model_providers.scripted]', 'name = "scripted"', `base_url = "${s.server.url}"`, ''].join('\n'),
    );
    await writeFile(
      join(s.home, 'config.toml'),
      [
        '[mcp_servers.inner]',
        'command = "node"',
        `args = [${JSON.stringify(CLI)}, "mcp-server"]`,
        `env = { STATECRAFT_HOME = ${JSON.stringify(innerHome)}, OPENAI_API_KEY = "" }`,
        '',
      ].join('\n'),
    );

    const result = await execCli(s, ['--json', '-a', 'never', 'ask the inner agent']);
    expect(result.stderr).not.toMatch(/MCP server/);
    expect(result.exitCode).toBe(0);
    const calls = jsonEvents(result.stdout).filter((event) => event.item?.type === 'mcp_tool_call');
    expect(calls.map((event) => event.type)).toEqual(['item.started', 'item.completed']);
    expect(calls[1]!.item).toMatchObject({ server: 'inner', tool: 'statecraft', status: 'completed' });
    // The inner thread's last message is the tool's text; its structured content names the inner thread.
    expect(toolOutputsSeen(s.server.requests)).toEqual(['The inner agent saw an empty folder.']);
    const structured = calls[1]!.item.result.structured_content as { threadId: string; content: string };
    expect(structured.content).toBe('The inner agent saw an empty folder.');
    // The inner agent recorded its own thread under its own home.
    const sessions = await readdir(join(innerHome, 'sessions'), { recursive: true });
    expect(sessions.some((file) => String(file).includes(structured.threadId))).toBe(true);
    expect(jsonEvents(result.stdout).at(-1)).toMatchObject({ type: 'turn.completed' });
  });
});
