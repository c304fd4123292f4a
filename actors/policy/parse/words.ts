import type { Node } from 'web-tree-sitter';

/**
 * A word after quote removal. `shape` mirrors `value` but with every quoted or escaped
 * character replaced by `_`, so checks for unquoted syntax (brace expansion) can run on it.
 */
interface Word {
  value: string;
  shape: string;
}

/** Either the resolved word or why it cannot be resolved statically. */
export type WordResult = { ok: true; word: Word } | { ok: false; reason: string };

const fail = (reason: string): WordResult => ({ ok: false, reason });
const done = (value: string, shape: string): WordResult => ({ ok: true, word: { value, shape } });

/** Unquoted brace expansion, `{a,b}` or `{1..3}`, produces several words: not static. */
const BRACE_EXPANSION = /\{[^{}]*(,|\.\.)[^{}]*\}/;

/** Resolves one argument node (a word, quoted string or a mix of them) to its final text. */
export function resolveWord(node: Node): WordResult {
  const result = resolvePart(node);
  if (result.ok && BRACE_EXPANSION.test(result.word.shape)) return fail('brace expansion {a,b}');
  return result;
}

function resolvePart(node: Node): WordResult {
  switch (node.type) {
    case 'word':
      return unquoted(node.text);
    case 'number':
      return done(node.text, node.text);
    case 'raw_string': {
      const inner = node.text.slice(1, -1);
      return done(inner, '_'.repeat(inner.length));
    }
    case 'string':
      return doubleQuoted(node);
    case 'ansi_c_string':
      return ansiC(node.text.slice(2, -1));
    case 'concatenation': {
      let value = '';
      let shape = '';
      for (const child of node.children) {
        if (!child) continue;
        const part = resolvePart(child);
        if (!part.ok) return part;
        value += part.word.value;
        shape += part.word.shape;
      }
      return done(value, shape);
    }
    case '$':
      return fail('translated string $"..."'); // `$"..."`: the grammar gives `$` then a string
    default:
      return fail(`unsupported word ${node.type}: ${node.text}`);
  }
}

/** Outside quotes a backslash keeps the next character literally; before a newline it joins lines. */
function unquoted(text: string): WordResult {
  let value = '';
  let shape = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\' || i + 1 >= text.length) {
      value += ch;
      shape += ch;
      continue;
    }
    const next = text[++i]!;
    if (next === '\n') continue;
    value += next;
    shape += '_';
  }
  return done(value, shape);
}

/** Inside double quotes only `$`, backquote, `"`, backslash and newline can be escaped. */
function doubleQuoted(node: Node): WordResult {
  let value = '';
  for (const child of node.children) {
    if (!child || child.type === '"') continue;
    if (child.type !== 'string_content') return fail(`${child.type} inside double quotes`);
    const text = child.text;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      const next = text[i + 1];
      if (ch === '\\' && next !== undefined && '$`"\\\n'.includes(next)) {
        if (next !== '\n') value += next;
        i++;
        continue;
      }
      value += ch;
    }
  }
  return done(value, '_'.repeat(value.length));
}

const ANSI_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** `$'...'` with the common single-letter escapes; numeric and control escapes are refused. */
function ansiC(body: string): WordResult {
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      value += ch;
      continue;
    }
    const mapped = ANSI_ESCAPES[body[i + 1] ?? ''];
    if (mapped === undefined) return fail(`ANSI-C escape in $'${body}'`);
    value += mapped;
    i++;
  }
  return done(value, '_'.repeat(value.length));
}
