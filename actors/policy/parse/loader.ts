import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { complex, scriptFromTree } from './script.js';
import type { BashParser } from './types.js';

let loading: Promise<BashParser> | null = null;

/**
 * Loads the bash grammar once per process; later calls share the same parser. web-tree-sitter
 * and the grammar load only here, so a run that judges no command never reads them.
 */
export async function loadBashParser(): Promise<BashParser> {
  loading ??= create().catch((error: unknown) => {
    loading = null; // let a later call try again
    throw error;
  });
  return loading;
}

/**
 * A WebAssembly file of the parser: the bundled CLI carries it beside this code (the build
 * copies it there, as the installed package has no node_modules), sources find it in its package.
 */
function wasmFile(pkg: string, file: string): string {
  const beside = fileURLToPath(new URL(file, import.meta.url));
  return existsSync(beside) ? beside : createRequire(import.meta.url).resolve(`${pkg}/${file}`);
}

async function create(): Promise<BashParser> {
  const { Language, Parser } = await import('web-tree-sitter');
  await Parser.init({ locateFile: (file: string) => wasmFile('web-tree-sitter', file) });
  const language = await Language.load(wasmFile('tree-sitter-bash', 'tree-sitter-bash.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(script: string) {
      const tree = parser.parse(script);
      if (!tree) return complex(['parse error']);
      try {
        return scriptFromTree(tree.rootNode, script);
      } finally {
        tree.delete(); // trees live in wasm memory
      }
    },
  };
}
