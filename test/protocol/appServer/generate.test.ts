import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_SCHEMA_BUNDLE_FILE, generateJsonSchema, generateTypeScript } from '../../../actors/schemaExport/index.js';
import { wireCatalog } from '../../../protocol/appServer/index.js';
import { readTranscript, subsetMessages, transcriptFiles } from './transcripts.fixture.js';

const tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Every `$ref` string anywhere in a JSON document. */
const refsIn = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
};

/** Follows a local JSON pointer ("#/a/b") inside `doc`; undefined if it leads nowhere. */
const resolvePointer = (doc: unknown, ref: string): unknown =>
  ref
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p.length > 0)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), doc);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statecraft-schemas-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateJsonSchema', () => {
  it('writes one parseable schema per catalog entry plus a bundle whose refs all resolve', async () => {
    const out = join(dir, 'json');
    const written = await generateJsonSchema(out);
    const names = wireCatalog().map((e) => e.name);
    expect(written.map((p) => basename(p)).sort()).toEqual([...names.map((n) => `${n}.json`), JSON_SCHEMA_BUNDLE_FILE].sort());
    expect((await readdir(out)).length).toBe(written.length);

    for (const path of written) {
      const doc: unknown = JSON.parse(await readFile(path, 'utf8'));
      for (const ref of refsIn(doc)) expect(resolvePointer(doc, ref), `${basename(path)} ${ref}`).toBeDefined();
    }
    const bundle = JSON.parse(await readFile(join(out, JSON_SCHEMA_BUNDLE_FILE), 'utf8')) as {
      definitions: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(bundle.definitions).sort()).toEqual([...names].sort());
    expect(bundle.definitions.ThreadStartParams?.type).toBe('object');
  });

  it('describes client-sent params as input (defaulted fields optional) and results as output', async () => {
    const out = join(dir, 'json');
    const read = async (name: string) =>
      JSON.parse(await readFile(join(out, `${name}.json`), 'utf8')) as {
        required?: string[];
        $defs?: Record<string, { oneOf?: Array<{ required?: string[] }> }>;
      };
    const params = await read('TurnStartParams');
    expect(params.required).toEqual(['threadId', 'input']);
    const textInput = params.$defs?.UserInput?.oneOf?.[0];
    expect(textInput?.required).toEqual(['type', 'text']);
    const started = await read('ItemStartedNotification');
    expect(started.required).toEqual(['method', 'params', 'emittedAtMs']);
  });
});

describe('generateTypeScript', () => {
  it('writes declarations that compile under --strict and accept the transcripts', async () => {
    const out = join(dir, 'ts');
    const written = await generateTypeScript(out);
    const names = wireCatalog().map((e) => e.name);
    expect(written.map((p) => basename(p)).sort()).toEqual([...names.map((n) => `${n}.ts`), 'index.ts'].sort());

    // Every subset message of the reference transcripts, after our schemas parsed it,
    // must be assignable to the generated type of the same name.
    const checked = transcriptFiles().flatMap((f) => subsetMessages(readTranscript(f)));
    const used = [...new Set(checked.map((c) => c.name))];
    const samples = checked.map((c, i) => {
      const value: unknown = c.schema.parse(c.value);
      return `// ${c.where}\nexport const sample${i}: ${c.name} = ${JSON.stringify(value)};`;
    });
    const samplesPath = join(out, 'samples.ts');
    await writeFile(samplesPath, `import type { ${used.join(', ')} } from './index.js';\n\n${samples.join('\n')}\n`);

    const result = await execa(process.execPath, [tscBin, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', ...written, samplesPath], {
      cwd: out,
      reject: false,
      timeout: 60_000,
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
