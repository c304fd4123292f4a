import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { complex, scriptFromTree } from './script.js';
import type { BashParser } from './types.js';

let loading: Promise<BashParser> | null = null;

/** Loads the bash grammar once per process; later calls share the same parser. */
export async function loadBashParser(): Promise<BashParser> {
  loading ??= create().catch((error: unknown) => {
    loading = null; // let a later call try again
    throw error;
  });
  return loading;
}

async function create(): Promise<BashParser> {
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
  const language = await Language.load(wasm);
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
