/** Real MCP servers from npm (server-everything, server-filesystem), run from node_modules as configured servers and driven by scripted turns. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execCli, jsonEvents, scene, type Scene } from './cli.harness.js';

const require = createRequire(import.meta.url);
/** A package's entry script, resolved in node_modules: nothing is downloaded at test time. */
const serverScript = (manifest: string) => join(dirname(manifest), 'dist', 'index.js');
const EVERYTHING = serverScript(require.resolve('@modelcontextprotocol/server-everything/package.json'));
const FILESYSTEM = serverScript(require.resolve('@modelcontextprotocol/server-filesystem/package.json'));

let current: Scene | null = null;
let httpServer: ChildProcess | null = null;
/** A directory of the test's own, outside the scene. */
let ownDir: string | null = null;
afterEach(async () => {
  httpServer?.kill();
  httpServer = null;
  if (ownDir) await rm(ownDir, { recursive: true, force: true });
  ownDir = null;
  await current?.cleanup();
  current = null;
});

/** The input items of the last model request. */
const lastInput = (s: Scene) => (s.server.requests.at(-1) as { input?: Array<Record<string, any>> }).input ?? [];
const outputsOfLastRequest = (s: Scene) =>
  lastInput(s)
    .filter((item) => item.type === 'function_call_output')
    .map((item) => String(item.output));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('real MCP servers from npm', () => {
  it('server-everything over stdio: echo, get-sum and get-tiny-image, whose image reaches the next model request as an input image', async () => {
    const s = (current = await scene({
      turns: [
        [{ call: 'mcp__everything__echo', args: { message: 'hello there' } }],
        [{ call: 'mcp__everything__get-sum', args: { a: 2, b: 40 } }],
        [{ call: 'mcp__everything__get-tiny-image', args: {} }],
        [{ text: 'All three worked.' }],
      ],
    }));
    await writeFile(
      join(s.home, 'config.toml'),
      `[mcp_servers.everything]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(EVERYTHING)}, "stdio"]\n`,
    );
    const result = await execCli(s, ['--json', '-a', 'never', 'use the tools']);
    expect(result.stderr).not.toMatch(/MCP server/);
    expect(result.exitCode).toBe(0);
    const calls = jsonEvents(result.stdout).filter((event) => event.type === 'item.completed' && event.item.type === 'mcp_tool_call');
    expect(calls.map((event) => [event.item.tool, event.item.status])).toEqual([
      ['echo', 'completed'],
      ['get-sum', 'completed'],
      ['get-tiny-image', 'completed'],
    ]);
    const outputs = outputsOfLastRequest(s);
    expect(outputs[0]).toContain('hello there');
    expect(outputs[1]).toContain('42');
    const images = lastInput(s)
      .flatMap((item) => (item.type === 'message' ? (item.content as Array<Record<string, any>>) : []))
      .filter((part) => part.type === 'input_image');
    expect(images).toEqual([expect.objectContaining({ image_url: expect.stringMatching(/^data:image\/png;base64,.{100,}/) })]);
  });

  it('server-everything over streamable HTTP on 127.0.0.1', async () => {
    const s = (current = await scene({ turns: [[{ call: 'mcp__web__echo', args: { message: 'over http' } }], [{ text: 'Echoed.' }]] }));
    const port = await freePort();
    const server = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    httpServer = server;
    await new Promise<void>((resolve, reject) => {
      let said = '';
      server.stderr.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes(`listening on port ${port}`)) resolve();
      });
      server.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${said}`)));
    });
    await writeFile(join(s.home, 'config.toml'), `[mcp_servers.web]\nurl = "http://127.0.0.1:${port}/mcp"\n`);
    const result = await execCli(s, ['--json', '-a', 'never', 'echo over http']);
    expect(result.stderr).not.toMatch(/MCP server/);
    expect(result.exitCode).toBe(0);
    expect(outputsOfLastRequest(s)).toEqual([expect.stringContaining('over http')]);
  });

  it('server-filesystem reads a file inside its allowed directory and refuses one outside it', async () => {
    const base = (ownDir = await mkdtemp(join(tmpdir(), 'statecraft-fs-mcp-')));
    const allowed = join(base, 'allowed');
    await mkdir(allowed);
    await writeFile(join(allowed, 'note.txt'), 'the note inside\n');
    await writeFile(join(base, 'secret.txt'), 'the secret outside\n');
    const s = (current = await scene({
      turns: [
        [{ call: 'mcp__fs__read_text_file', args: { path: join(allowed, 'note.txt') } }],
        [{ call: 'mcp__fs__read_text_file', args: { path: join(base, 'secret.txt') } }],
        [{ text: 'Read one, refused the other.' }],
      ],
    }));
    await writeFile(
      join(s.home, 'config.toml'),
      `[mcp_servers.fs]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(FILESYSTEM)}, ${JSON.stringify(allowed)}]\n`,
    );
    // Read-only: the thread has no writable roots, so roots/list gives none and the server keeps the directory it was started with
    // (under workspace-write the server would take the thread's writable roots, /tmp among them, in its place).
    const result = await execCli(s, ['--json', '-a', 'never', '-s', 'read-only', 'read the files']);
    expect(result.exitCode).toBe(0);
    const [inside, refused] = outputsOfLastRequest(s);
    expect(inside).toContain('the note inside');
    expect(refused).toMatch(/^The tool reported an error:\n.*(denied|outside)/is);
    expect(refused).not.toContain('the secret outside');
  });
});
