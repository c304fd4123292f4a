/**
 * The shape of start-up, not its speed: which parts of the bundle each kind of run reads.
 * Node reports every module it loads to a loader hook; esbuild's record of the build
 * (dist/bundle.meta.json) says which sources each bundle file holds. A change that puts the
 * command policy's parser, the model client or the runtime back on a start path that does
 * not need them fails here, whatever the machine's speed.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, execCli, scene, type Scene } from './cli.harness.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
const meta = JSON.parse(readFileSync(join(ROOT, 'dist/bundle.meta.json'), 'utf8')) as Metafile;

/** The bundle files (relative to the repository) holding any source whose path contains one of `parts`. */
const filesHolding = (...parts: string[]) =>
  Object.entries(meta.outputs)
    .filter(([file, output]) => file.endsWith('.js') && Object.keys(output.inputs).some((input) => parts.some((part) => input.includes(part))))
    .map(([file]) => file);

const PARSER = filesHolding('node_modules/web-tree-sitter/');
const MODEL_CLIENT = filesHolding('actors/model/');
const AGENT = filesHolding('actors/runtime/', 'machines/', 'node_modules/xstate/', 'actors/policy/');
const SCHEMAS = filesHolding('protocol/', 'node_modules/zod/');
const MCP_CLIENT = filesHolding('node_modules/@modelcontextprotocol/sdk/dist/esm/client/');
const YAML = filesHolding('node_modules/yaml/');
/** What running a command takes: the process library, the command policy's rules, the patch parser. */
const COMMANDS = filesHolding('node_modules/execa/', 'actors/policy/rules/heuristics.ts', 'actors/patch/parse.ts');
/** The schemas of the servers' own wire, which a thread run from the command line never speaks. */
const SERVER_WIRE = filesHolding('protocol/appServer/', 'protocol/mcpServer/');
/** The schemas of the requests after the handshake, and of the threads and items they carry. */
const REQUEST_SCHEMAS = filesHolding('protocol/appServer/requests.schema.ts', 'protocol/thread.schema.ts', 'protocol/items.schema.ts');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'statecraft-startup-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.STATECRAFT_MODULE_TRACE, url + '\\n');
  return next(url, context);
}`;
const dataUrl = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;
const REGISTER = dataUrl(`import { register } from 'node:module'; register(${JSON.stringify(dataUrl(hooks))});`);

let traces = 0;
/** Environment under which Node lists each module it loads in a fresh file; `read` gives the bundle files listed. */
function tracing() {
  const file = join(root, `trace-${++traces}.txt`);
  return {
    env: { NODE_OPTIONS: `--import=${REGISTER}`, STATECRAFT_MODULE_TRACE: file },
    read: async () =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((url) => relative(ROOT, fileURLToPath(url))),
  };
}

const overlap = (loaded: string[], files: string[]) => loaded.filter((file) => files.includes(file));

describe('what start-up reads', () => {
  it('finds the parts it checks in the bundle', () => {
    // Without these the assertions below would pass vacuously.
    for (const files of [PARSER, MODEL_CLIENT, AGENT, SCHEMAS, MCP_CLIENT, YAML, COMMANDS, SERVER_WIRE, REQUEST_SCHEMAS])
      expect(files.length).toBeGreaterThan(0);
  });

  it('--version and --help read the command line alone: no schemas, no agent, no model client, no parser', async () => {
    for (const flag of ['--version', '--help']) {
      const trace = tracing();
      const result = await execa('node', [CLI, flag], { cwd: root, env: trace.env, reject: false });
      expect(result.exitCode).toBe(0);
      const loaded = await trace.read();
      expect(loaded).toContain('dist/adapters/cli/main.js');
      expect(overlap(loaded, [...SCHEMAS, ...AGENT, ...MODEL_CLIENT, ...PARSER])).toEqual([]);
    }
  });

  it("an app-server asked only to initialize loads neither the other requests' schemas nor the agent runtime, the model client or the parser", async () => {
    const trace = tracing();
    const home = join(root, 'app-home');
    const child = execa('node', [CLI, 'app-server'], {
      env: { STATECRAFT_HOME: home, HOME: root, OPENAI_API_KEY: '', ...trace.env },
      stdin: 'pipe',
      reject: false,
    });
    child.stdin.end(`${JSON.stringify({ id: 1, method: 'initialize', params: { clientInfo: { name: 'test', title: 'test', version: '1' } } })}\n`);
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout).split('\n')[0]!)).toMatchObject({ id: 1, result: { codexHome: home } });
    const loaded = await trace.read();
    expect(overlap(loaded, [...REQUEST_SCHEMAS, ...AGENT, ...MODEL_CLIENT, ...PARSER])).toEqual([]);
  });

  describe('exec', () => {
    let s: Scene | null = null;
    afterAll(async () => {
      await s?.cleanup();
    });
    const run = async (script: Parameters<typeof scene>[0], prompt: string) => {
      await s?.cleanup();
      s = await scene(script);
      const trace = tracing();
      const result = await execCli(s, ['--json', '-s', 'danger-full-access', prompt], {
        env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '', ...trace.env },
      });
      expect(result.exitCode).toBe(0);
      return trace.read();
    };

    it("a turn the model answers in text reads neither what runs commands nor the servers' wire, nor the MCP client or YAML parser when no server or skill is configured", async () => {
      const loaded = await run({ turns: [[{ text: 'Hello.' }]] }, 'say hello');
      expect(overlap(loaded, MODEL_CLIENT).length).toBeGreaterThan(0);
      expect(overlap(loaded, [...PARSER, ...COMMANDS, ...SERVER_WIRE, ...MCP_CLIENT, ...YAML])).toEqual([]);
    });

    it('a turn that runs a command reads the parser and the process library, to judge and run the command', async () => {
      const loaded = await run({ turns: [[{ call: 'exec_command', args: { cmd: 'echo hi' } }], [{ text: 'Done.' }]] }, 'run echo');
      expect(overlap(loaded, PARSER).length).toBeGreaterThan(0);
      expect(overlap(loaded, COMMANDS).length).toBeGreaterThan(0);
    });
  });
});
