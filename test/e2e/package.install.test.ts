/**
 * The package as users get it: `npm pack`, installed with `npm install -g --prefix` into a
 * scratch folder (offline: the bundle carries every dependency), then run from outside the
 * repository. Every command's --help must answer, found by walking the help pages, and the
 * parts that read files of their own at run time (the bash parser's WebAssembly, the schema
 * generators, source maps for stack traces, a whole demo turn) must work from there.
 */
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

let scratch: string;
let bin: string;
let outside: string;
let env: Record<string, string>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'statecraft-package-'));
  outside = join(scratch, 'elsewhere');
  await mkdir(outside);
  // npm's own cache and logs stay in the scratch folder; --offline proves nothing is fetched.
  env = { HOME: scratch, PATH: process.env.PATH ?? '', npm_config_cache: join(scratch, 'npm-cache'), STATECRAFT_HOME: join(scratch, 'home') };
  const packed = await execa('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: ROOT, env });
  const tarball = join(scratch, String(packed.stdout).trim().split('\n').at(-1)!);
  await execa('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', join(scratch, 'prefix'), tarball], { cwd: outside, env });
  bin = join(scratch, 'prefix', 'bin', 'statecraft');
}, 120_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const statecraft = (args: string[], options: { input?: string } = {}) =>
  execa(bin, args, { cwd: outside, env, reject: false, timeout: 60_000, ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }) });

/** The names under "Commands:" on a help page (without `help`, which commander adds). */
const commandsIn = (help: string): string[] => {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
};

describe('the installed package', () => {
  it('ships the bundle and nothing it would have to fetch', async () => {
    const installed = join(scratch, 'prefix', 'lib', 'node_modules', 'statecraft');
    expect(await readdir(installed)).not.toContain('node_modules');
    expect(readdirSync(join(installed, 'dist', 'chunks')).some((file) => file.endsWith('.wasm'))).toBe(true);
    expect(readdirSync(join(installed, 'dist'))).not.toContain('bundle.meta.json');
  });

  it('answers --help for every command and subcommand, from outside the repository', async () => {
    const seen: string[] = [];
    const walk = async (path: string[]) => {
      const result = await statecraft([...path, '--help']);
      expect(result.exitCode, `statecraft ${[...path, '--help'].join(' ')}: ${String(result.stderr)}`).toBe(0);
      expect(String(result.stdout)).toContain(`Usage: statecraft${path.length > 0 ? ` ${path.join(' ')}` : ''}`);
      seen.push(path.join(' '));
      for (const name of commandsIn(String(result.stdout))) await walk([...path, name]);
    };
    await walk([]);
    expect(seen).toEqual(
      expect.arrayContaining([
        'exec',
        'exec resume',
        'app-server',
        'app-server generate-json-schema',
        'app-server generate-ts',
        'execpolicy check',
        'config show',
        'sandbox',
        'apply-patch',
        'mock-model',
        'demo',
      ]),
    );
  });

  it('prints its version', async () => {
    const result = await statecraft(['--version']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('parses a command with the bundled bash grammar', async () => {
    const result = await statecraft(['execpolicy', 'check', '--json', '--', 'ls && rm -rf build']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(String(result.stdout))).toMatchObject({
      decision: 'ask',
      script: { kind: 'plain', commands: [{ argv: ['ls'] }, { argv: ['rm', '-rf', 'build'] }] },
    });
  });

  it('writes the JSON schemas and the TypeScript declarations', async () => {
    for (const generator of ['generate-json-schema', 'generate-ts']) {
      const out = join(scratch, generator);
      const result = await statecraft(['app-server', generator, '--out', out]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect((await readdir(out)).length).toBeGreaterThan(10);
    }
  });

  it('names the TypeScript source lines in a stack trace', async () => {
    const result = await statecraft(['app-server', 'generate-json-schema', '--out', '/dev/null/cannot-be-a-directory']);
    expect(result.exitCode).not.toBe(0);
    expect(String(result.stderr)).toMatch(/actors\/schemaExport\/generateJsonSchema\.ts:\d+:\d+/);
    expect(String(result.stderr)).toMatch(/adapters\/cli\/program\.ts:\d+:\d+/);
  });

  it('runs the offline demo turn, a command included', async () => {
    const result = await statecraft(['demo']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });
});
