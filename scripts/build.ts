/**
 * `npm run build`: bundles the CLI with esbuild into dist/, the folder the package ships.
 *
 * - One file for the bin (dist/adapters/cli/main.js) and one chunk per command's code, loaded
 *   by dynamic import when that command runs; shared code lands in shared chunks.
 * - Every dependency is inside the bundle, so the installed package needs nothing from the
 *   registry; the two WebAssembly files the bash parser reads are copied next to the chunks, and
 *   the inspector page's browser script is built there too, and its machine charts are laid out
 *   (ELK) and drawn there once, so no page pays for a layout at run time.
 * - Whitespace and syntax are minified (a third less to read and compile at each start);
 *   identifiers keep their names.
 * - Source maps cover our own code only, without the sources' text: stack traces name the .ts
 *   files and lines (adapters/cli/source.lines.ts reads a map when a stack through its file is
 *   formatted). A chunk of dependencies alone gets no map at all.
 * - dist/bundle.meta.json is esbuild's record of which sources went into which output; the
 *   start-up test reads it to name the chunks that must not load. It is not shipped.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { decode, encode } from '@jridgewell/sourcemap-codec';
import { build, type Plugin } from 'esbuild';
import { drawMachines } from '../adapters/inspector/charts.js';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

/** Files the bash parser loads at run time; the bundle looks for them beside its chunks (see actors/policy/parse/loader.ts). */
const WASM_FILES = ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'];

/** The inspector page's browser script, built on its own, and its charts (see adapters/inspector/page.html.ts). */
const INSPECTOR_PAGE_SCRIPT = 'inspector.page.js';
const INSPECTOR_CHARTS = 'inspector.charts.json';

/**
 * rxjs lists its CommonJS build under the `node` condition, ahead of its ES modules, so a node
 * bundle would take the CommonJS one whole; the ES build lets esbuild keep only the operators used.
 */
const rxjsAsModules: Plugin = {
  name: 'rxjs-as-modules',
  setup(pluginBuild) {
    const esm = join(dirname(require.resolve('rxjs/package.json')), 'dist/esm/index.js');
    pluginBuild.onResolve({ filter: /^rxjs$/ }, () => ({ path: esm }));
  },
};

/**
 * zod re-exports the messages of some forty languages (`z.locales`), half of its size; statecraft
 * speaks English, which zod installs by itself, so the bundle keeps that one.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * Keeps only the mappings into our own sources. Returns the map to write, or null when nothing
 * of ours is in the chunk: then the chunk loses its map comment, and Node reads nothing for it.
 */
function ownMappings(map: { sources: string[]; mappings: string }): { sources: string[]; mappings: string } | null {
  const vendor = map.sources.map((source) => source.includes('node_modules/'));
  let kept = 0;
  const lines = decode(map.mappings).map((line) =>
    line.filter((segment) => {
      const own = segment.length > 1 && !vendor[segment[1]!];
      if (own) kept++;
      return own;
    }),
  );
  return kept === 0 ? null : { ...map, mappings: encode(lines) };
}

await rm(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['adapters/cli/main.ts'],
  outbase: '.',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [rxjsAsModules, zodEnglishOnly],
  // Ink reads React's devtools only when DEV=true is set, a package it does not depend on: left out.
  external: ['react-devtools-core'],
  // CommonJS dependencies (commander, cross-spawn) call require() for Node's own modules; an ES
  // module has no require, so each output file gets one.
  banner: { js: "import { createRequire as __statecraftRequire } from 'node:module';\nconst require = __statecraftRequire(import.meta.url);" },
});

const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.js'));
for (const [output] of outputs) {
  const file = join(root, output);
  const map = ownMappings(JSON.parse(await readFile(`${file}.map`, 'utf8')) as { sources: string[]; mappings: string });
  if (map) {
    await writeFile(`${file}.map`, JSON.stringify(map));
    continue;
  }
  const code = await readFile(file, 'utf8');
  await writeFile(file, code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n'));
  await rm(`${file}.map`);
}

const chunks = join(dist, 'chunks');
await mkdir(chunks, { recursive: true });
for (const file of WASM_FILES) await copyFile(require.resolve(file), join(chunks, file.split('/').pop()!));
// The inspector page's script runs in the browser; adapters/inspector/page.html.ts inlines it from beside the chunks.
await build({
  absWorkingDir: root,
  entryPoints: ['adapters/inspector/page/main.ts'],
  outfile: join(chunks, INSPECTOR_PAGE_SCRIPT),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
await writeFile(join(chunks, INSPECTOR_CHARTS), JSON.stringify(await drawMachines()));
await writeFile(join(dist, 'bundle.meta.json'), JSON.stringify(result.metafile));

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
process.stdout.write(
  `bundled ${relative(root, join(dist, 'adapters/cli/main.js'))} and ${outputs.length - 1} chunks, ${kib(outputs.reduce((sum, [, out]) => sum + out.bytes, 0))} of JavaScript\n`,
);
