import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { McpConnections, MAX_TOOL_NAME, qualifiedToolName, resultForModel, type ElicitationAsker, type ThreadMcp } from '../../../actors/mcp/index.js';
import type { ElicitationQuestion, McpServerSettings } from '../../../protocol/index.js';
import { alive } from '../../support/processes.js';
import { fixtureCommand } from '../../support/mcp.fixture.js';

const stdio = (name: string, over: Partial<McpServerSettings> = {}, ...flags: string[]): McpServerSettings => ({
  name,
  transport: { type: 'stdio', ...fixtureCommand(...flags), env: {}, cwd: null },
  required: false,
  startupTimeoutMs: 20_000,
  toolTimeoutMs: 20_000,
  enabledTools: null,
  disabledTools: [],
  ...over,
});

const warnings: string[] = [];
let connections: McpConnections;
/** A user who is never asked: a test that expects questions passes its own. */
const nobody: ElicitationAsker = (server, question) => Promise.reject(new Error(`unexpected question from ${server}: ${question.message}`));
const open = (threadId: string, servers: McpServerSettings[], roots = ['/ws'], ask: ElicitationAsker = nobody): ThreadMcp => {
  connections ??= new McpConnections(process.env, '0.0.0-test', (message) => warnings.push(message));
  return connections.acquire(threadId, servers, roots, ask);
};
const signal = () => new AbortController().signal;
const text = (result: { content: unknown[] }) => (result.content as { type: string; text?: string }[]).map((block) => block.text ?? '').join('');

afterEach(async () => {
  await connections?.closeAll();
  warnings.length = 0;
});

describe('MCP connections (real fixture server processes)', () => {
  it('offers the tools as mcp__<server>__<tool> with their schema, and calls them', async () => {
    const mcp = open('t1', [stdio('fx')]);
    const specs = await mcp.toolSpecs(() => {});
    const names = specs.map((spec) => (spec.type === 'function' ? spec.name : ''));
    expect(names).toContain('mcp__fx__echo');
    const echo = specs.find((spec) => spec.type === 'function' && spec.name === 'mcp__fx__echo');
    expect(echo).toMatchObject({ description: 'Echoes its text back.', parameters: { type: 'object', properties: { text: { type: 'string' } } } });
    expect(mcp.lookup('mcp__fx__echo')).toEqual({ server: 'fx', tool: 'echo', readOnly: true });
    expect(mcp.lookup('mcp__fx__write_note')).toEqual({ server: 'fx', tool: 'write_note', readOnly: false });
    const result = await mcp.call('fx', 'echo', { text: 'hi' }, signal());
    expect(text(result)).toBe('echo: hi');
    expect(result.structuredContent).toEqual({ echoed: 'hi' });
    expect(mcp.report()).toMatchObject([
      {
        name: 'fx',
        runtimeStatus: 'connected',
        toolsError: null,
        serverInfo: { name: 'fixture', version: '1.0.0' },
        authStatus: 'unsupported',
        httpOrigin: null,
      },
    ]);
    expect(Object.keys(mcp.report()[0]!.tools)).toEqual(expect.arrayContaining(['echo', 'write_note']));
  });

  it('keeps to enabled_tools and drops disabled_tools', async () => {
    const only = await open('t1', [stdio('a', { enabledTools: ['echo', 'slow'], disabledTools: ['slow'] })]).toolSpecs(() => {});
    expect(only.map((spec) => (spec.type === 'function' ? spec.name : ''))).toEqual(['mcp__a__echo']);
  });

  it('fails a call that outlives tool_timeout_sec with a message naming the timeout, and the server stays usable', async () => {
    const mcp = open('t1', [stdio('fx', { toolTimeoutMs: 300 })]);
    await mcp.toolSpecs(() => {});
    await expect(mcp.call('fx', 'slow', { ms: 5_000 }, signal())).rejects.toThrow(/timed out after 0.3 s \(tool_timeout_sec of MCP server fx\)/);
    expect(text(await mcp.call('fx', 'echo', { text: 'still here' }, signal()))).toBe('echo: still here');
  });

  it('fails a call whose server dies mid-call, quoting its stderr, and reports the server once', async () => {
    const mcp = open('t1', [stdio('fx')]);
    await mcp.toolSpecs(() => {});
    await expect(mcp.call('fx', 'crash', {}, signal())).rejects.toThrow(/MCP server fx exited.*crashing on purpose/s);
    expect(warnings.filter((warning) => warning.includes('MCP server fx exited'))).toHaveLength(1);
    expect(mcp.report()[0]).toMatchObject({ runtimeStatus: 'failed', toolsError: expect.stringMatching(/MCP server fx exited/), tools: {} });
    await expect(mcp.call('fx', 'echo', { text: 'x' }, signal())).rejects.toThrow(/exited/);
  });

  it('reports a server that cannot start with the tail of its stderr, once, and goes on without it', async () => {
    const mcp = open('t1', [stdio('broken', {}, '--fail-start'), stdio('fx')]);
    const specs = await mcp.toolSpecs(() => {});
    expect(specs.some((spec) => spec.type === 'function' && spec.name.startsWith('mcp__fx__'))).toBe(true);
    expect(specs.some((spec) => spec.type === 'function' && spec.name.startsWith('mcp__broken__'))).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^MCP server broken failed to start: .*missing FIXTURE_TOKEN/s);
    await mcp.toolSpecs(() => {});
    expect(warnings).toHaveLength(1);
  });

  it('gives up on a server that never answers initialize after startup_timeout_sec and goes on without it', async () => {
    const mcp = open('t1', [stdio('hang', { startupTimeoutMs: 500 }, '--hang-initialize')]);
    await expect(mcp.toolSpecs(() => {})).resolves.toEqual([]);
    expect(warnings[0]).toMatch(/MCP server hang failed to start: did not start within 0.5 s \(startup_timeout_sec\)/);
    expect(await mcp.requiredFailure()).toBeNull();
  });

  it('reports a server whose tool list has an invalid input schema, naming the field, and goes on without it', async () => {
    const mcp = open('t1', [stdio('bad', {}, '--bad-schema'), stdio('fx')]);
    const specs = await mcp.toolSpecs(() => {});
    expect(specs.some((spec) => spec.type === 'function' && spec.name === 'mcp__fx__echo')).toBe(true);
    expect(specs.some((spec) => spec.type === 'function' && spec.name.startsWith('mcp__bad__'))).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/^MCP server bad failed to start: .*inputSchema/s)]);
    expect(mcp.report()[0]).toMatchObject({ name: 'bad', runtimeStatus: 'failed' });
  });

  it('refreshes the tool list on notifications/tools/list_changed', async () => {
    const mcp = open('t1', [stdio('fx')]);
    await mcp.toolSpecs(() => {});
    await mcp.call('fx', 'add_tool', { name: 'late' }, signal());
    await vi.waitFor(async () => expect(mcp.lookup('mcp__fx__late') ?? (await mcp.toolSpecs(() => {}), mcp.lookup('mcp__fx__late'))).not.toBeNull());
    expect(text(await mcp.call('fx', 'late', {}, signal()))).toBe('hello from late');
  });

  it('shares one process between threads with the same config and ends it when the last lets go', async () => {
    const first = open('t1', [stdio('fx')]);
    const second = open('t2', [stdio('fx')]);
    await first.toolSpecs(() => {});
    await second.toolSpecs(() => {});
    const pids = [first, second].map(() => (connections as unknown as { shared: Map<string, { connection: { pid: number | null } }> }).shared);
    const [entry] = [...pids[0]!.values()];
    const pid = entry!.connection.pid!;
    expect(pids[0]!.size).toBe(1);
    expect(alive(pid)).toBe(true);
    await first.release();
    expect(alive(pid)).toBe(true);
    expect(text(await second.call('fx', 'echo', { text: 'shared' }, signal()))).toBe('echo: shared');
    await second.release();
    await vi.waitFor(() => expect(alive(pid)).toBe(false));
  });

  it('answers roots/list with the roots of the threads using the server', async () => {
    const mcp = open('t1', [stdio('fx')], ['/ws/a', '/ws/b']);
    await mcp.toolSpecs(() => {});
    expect(text(await mcp.call('fx', 'roots', {}, signal()))).toBe('file:///ws/a\nfile:///ws/b');
  });

  it('caps a 10 MB result for the model with a marker, and passes images on as input images', async () => {
    const mcp = open('t1', [stdio('fx')]);
    await mcp.toolSpecs(() => {});
    const big = resultForModel('c1', await mcp.call('fx', 'big', { bytes: 10_000_000 }, signal()));
    const output = big[0]?.type === 'function_call_output' ? String(big[0].output) : '';
    expect(output.length).toBeLessThan(70_000);
    expect(output).toMatch(/\[… 9934464 more characters of the tool's output were cut …\]$/);
    const image = resultForModel('c2', await mcp.call('fx', 'image', {}, signal()));
    expect(image[0]).toEqual({ type: 'function_call_output', call_id: 'c2', output: 'a pixel' });
    expect(image[1]).toMatchObject({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_image', image_url: expect.stringMatching(/^data:image\/png;base64,/) }],
    });
  });

  it("passes a server's question to the user of the thread whose call it serves, and the answer back to the server", async () => {
    const asked: Array<{ thread: string; server: string; question: ElicitationQuestion }> = [];
    const user =
      (thread: string, answer: Awaited<ReturnType<ElicitationAsker>>): ElicitationAsker =>
      (server, question) => {
        asked.push({ thread, server, question });
        return Promise.resolve(answer);
      };
    const first = open('t1', [stdio('fx')], ['/ws'], user('t1', { action: 'decline', content: null }));
    const second = open('t2', [stdio('fx')], ['/ws'], user('t2', { action: 'accept', content: { color: 'green', urgent: true } }));
    await first.toolSpecs(() => {});
    await second.toolSpecs(() => {});
    expect(JSON.parse(text(await second.call('fx', 'ask', {}, signal())))).toEqual({ action: 'accept', content: { color: 'green', urgent: true } });
    expect(asked).toEqual([
      {
        thread: 't2',
        server: 'fx',
        question: {
          mode: 'form',
          message: 'Which color should the note be?',
          requestedSchema: expect.objectContaining({ type: 'object', required: ['color'] }),
        },
      },
    ]);
    expect(JSON.parse(text(await first.call('fx', 'ask', {}, signal())))).toEqual({ action: 'decline' });
    expect(asked.map((entry) => entry.thread)).toEqual(['t2', 't1']);
  });

  it('refuses sampling/createMessage with an error the server can read', async () => {
    const mcp = open('t1', [stdio('fx')]);
    await mcp.toolSpecs(() => {});
    expect(text(await mcp.call('fx', 'sample', {}, signal()))).toBe(
      'sampling refused: MCP error -32601: statecraft does not offer sampling (sampling/createMessage is declined); the server has to go on without a model completion',
    );
  });

  it('reaches a streamable HTTP server on 127.0.0.1', async () => {
    const { command, args } = fixtureCommand('--http');
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
      const port = Number(line.split(' ')[1]);
      const mcp = open('t1', [
        {
          ...stdio('web'),
          transport: { type: 'streamableHttp', url: `http://127.0.0.1:${port}/mcp`, bearerTokenEnvVar: null, httpHeaders: {}, envHttpHeaders: {} },
        },
      ]);
      const specs = await mcp.toolSpecs(() => {});
      expect(specs.map((spec) => (spec.type === 'function' ? spec.name : ''))).toContain('mcp__web__echo');
      expect(text(await mcp.call('web', 'echo', { text: 'over http' }, signal()))).toBe('echo: over http');
    } finally {
      child.kill();
    }
  });
});

describe('qualifiedToolName', () => {
  it('keeps a name the APIs accept as it is', () => {
    expect(qualifiedToolName('github', 'create_issue')).toBe('mcp__github__create_issue');
  });
  it('replaces characters the APIs refuse', () => {
    expect(qualifiedToolName('docs', 'search.v2 (beta)')).toBe('mcp__docs__search_v2__beta_');
  });
  it('cuts a long name to 64 characters with a stable hash, keeping two long names apart', () => {
    const a = qualifiedToolName('server', `a_very_long_tool_name_${'x'.repeat(60)}_one`);
    const b = qualifiedToolName('server', `a_very_long_tool_name_${'x'.repeat(60)}_two`);
    expect(a).toHaveLength(MAX_TOOL_NAME);
    expect(a).toMatch(/^mcp__server__a_very_long_tool_name_x+_[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(qualifiedToolName('server', `a_very_long_tool_name_${'x'.repeat(60)}_one`)).toBe(a);
  });
});
