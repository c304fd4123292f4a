import type { Node } from 'web-tree-sitter';
import { scanReasons } from './scan.js';
import { DYNAMIC, type Operator, type ParsedScript, type SimpleCommand, type Stdin } from './types.js';
import { resolveWord } from './words.js';

export function complex(reasons: string[], commands: SimpleCommand[] = [], unresolved: string[] = []): ParsedScript {
  return { kind: 'complex', reasons: [...new Set(reasons)], commands, unresolved: [...new Set(unresolved)] };
}

/**
 * Turns a bash syntax tree into every simple command it can run, wherever it sits. The script
 * is plain when the scan finds nothing beyond simple commands, pipes and lists with static
 * words; otherwise complex, with the scan's reasons.
 */
export function scriptFromTree(root: Node, source: string): ParsedScript {
  const collector = new Collector(source);
  collector.walk(root, OUTSIDE);
  if (root.hasError && collector.unresolved.length === 0) collector.unresolved.push('parse error');
  const scanned = scanReasons(root);
  const reasons = scanned.length > 0 ? scanned : [...collector.reasons, ...collector.unresolved];
  if (reasons.length === 0) return { kind: 'plain', commands: collector.commands, operators: collector.operators };
  return complex(reasons, collector.commands, collector.unresolved);
}

/** What a command inherits from around it: where its input comes from, what enclosing redirections write. */
interface Surroundings {
  stdin: Stdin | undefined;
  writes: readonly string[];
}

const OUTSIDE: Surroundings = { stdin: undefined, writes: [] };
const PIPE: Stdin = { kind: 'pipe' };

/** Unquoted glob characters in a command name make the program depend on the files present. */
const GLOB = /[*?[]/;

/** A word only known when the script runs, kept as written after the mark. */
const dynamicWord = (text: string) => `${DYNAMIC}${text}`;

class Collector {
  readonly commands: SimpleCommand[] = [];
  readonly operators: Operator[] = [];
  /** Why the script is not plain, beyond what the scan reports (words that cannot be resolved, stray tokens). */
  readonly reasons: string[] = [];
  readonly unresolved: string[] = [];
  /** Where each command's text starts in the source. */
  private readonly starts: number[] = [];
  /** The operator seen since the last command; a statement boundary without one is `;`. */
  private pending: Operator | null = null;

  constructor(private readonly source: string) {}

  walk(node: Node, around: Surroundings): void {
    if (node.isMissing) this.unresolved.push('parse error');
    switch (node.type) {
      case 'comment':
        return;
      case 'command':
        return this.command(node, node, around);
      case 'redirected_statement':
        return this.redirected(node, around);
      case 'program':
      case 'list':
        return this.sequence(node, around);
      case 'pipeline':
        return this.pipeline(node, around, false);
      case 'variable_assignment':
        return this.push(node, [this.assignment(node)], around, [node]);
      case 'variable_assignments': {
        const assignments = node.namedChildren.filter((child): child is Node => child?.type === 'variable_assignment');
        return this.push(
          node,
          assignments.map((child) => this.assignment(child)),
          around,
          assignments,
        );
      }
      case 'declaration_command':
      case 'unset_command':
        return this.declaration(node, around);
      case 'command_substitution':
      case 'process_substitution':
        // What a substitution prints is captured, not written to the enclosing redirection's file.
        return this.children(node, { stdin: around.stdin, writes: [] });
      case 'ERROR':
        this.unresolved.push('parse error');
        return this.children(node, around);
      default:
        return this.children(node, around);
    }
  }

  private children(node: Node, around: Surroundings): void {
    for (const child of node.children) if (child) this.walk(child, around);
  }

  private sequence(node: Node, around: Surroundings): void {
    for (const child of node.children) {
      if (!child) continue;
      if (child.isNamed) this.walk(child, around);
      else if (child.type === '&&' || child.type === '||') this.pending = child.type;
      else if (child.type === ';' || child.type === '&' || child.type === '\n') this.pending = ';';
      else this.stray(child);
    }
  }

  /** Each stage after the first reads the previous one's output; `tail` means the first reads a pipe too. */
  private pipeline(node: Node, around: Surroundings, tail: boolean): void {
    let first = !tail;
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === '|' || child.type === '|&') this.pending = '|';
      else if (child.isNamed) {
        this.walk(child, first ? around : { ...around, stdin: PIPE });
        first = false;
      } else this.stray(child);
    }
  }

  private redirected(node: Node, around: Surroundings): void {
    const body = node.childForFieldName('body');
    const redirects = node.children.filter((child): child is Node => child !== null && child.type.endsWith('_redirect'));
    const inside = this.redirections(redirects, around);
    if (body?.type === 'command') this.command(body, node, inside);
    else if (body) {
      // The grammar sometimes hangs `a && b 2>/dev/null` on the whole list; bash applies it
      // to the last command, so that command's text is stretched to cover it.
      const before = this.commands.length;
      this.walk(body, inside);
      const last = this.commands.at(-1);
      if (last && this.commands.length > before) last.text = this.source.slice(this.starts.at(-1), node.endIndex);
    } else this.stray(node);
    for (const redirect of redirects) this.redirectParts(redirect, around);
  }

  private command(node: Node, textNode: Node, around: Surroundings): void {
    const argv: string[] = [];
    const words: Node[] = [];
    const redirects: Node[] = [];
    let previous: Node | null = null;
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      const field = node.fieldNameForChild(i);
      if (field === 'redirect' || child.type.endsWith('_redirect')) {
        redirects.push(child);
        continue;
      }
      let word: string;
      if (child.type === 'variable_assignment') word = this.assignment(child);
      else if (field === 'name' || field === 'argument') word = this.word(field === 'name' ? (child.firstNamedChild ?? child) : child, field === 'name');
      else {
        this.stray(child);
        this.walk(child, around);
        continue;
      }
      words.push(child);
      // The grammar splits `a\<newline>b` in two, but bash reads it as the single word `ab`.
      if (previous && this.source.slice(previous.endIndex, child.startIndex) === '\\\n') {
        const joined = argv.pop()! + word;
        argv.push(joined.includes(DYNAMIC) ? dynamicWord(joined.replaceAll(DYNAMIC, '')) : joined);
      } else argv.push(word);
      previous = child;
    }
    this.push(textNode, argv, this.redirections(redirects, around), words);
    for (const redirect of redirects) this.redirectParts(redirect, around);
  }

  /** `export A=1 B`, `declare -x C`, `unset D`: the keyword and its words, like a command. */
  private declaration(node: Node, around: Surroundings): void {
    const keyword = node.children.find((child) => child !== null && !child.isNamed)?.type ?? node.type;
    const words = node.namedChildren.filter((child): child is Node => child !== null);
    const argv = [
      keyword,
      ...words.map((child) =>
        child.type === 'variable_assignment' ? this.assignment(child) : child.type === 'variable_name' ? child.text : this.word(child, false),
      ),
    ];
    this.push(node, argv, around, words);
  }

  /** Records a command, then walks its words for the commands substitutions inside them run. */
  private push(textNode: Node, argv: string[], around: Surroundings, words: Node[]): void {
    if (argv.length > 0) {
      if (this.commands.length > 0) this.operators.push(this.pending ?? ';');
      this.pending = null;
      const command: SimpleCommand = { argv, text: textNode.text };
      if (around.stdin) command.stdin = around.stdin;
      if (around.writes.length > 0) command.writes = [...around.writes];
      this.commands.push(command);
      this.starts.push(textNode.startIndex);
    }
    const inner = { stdin: around.stdin, writes: [] };
    // An assignment's value is walked, not the assignment: that would record it a second time.
    for (const word of words) {
      if (word.type === 'variable_assignment') this.children(word, inner);
      else this.walk(word, inner);
    }
  }

  /** One word after quote removal, or its source text marked dynamic when only the running shell can tell. */
  private word(node: Node, isName: boolean): string {
    const result = resolveWord(node);
    if (!result.ok) {
      this.reasons.push(result.reason);
      return dynamicWord(node.text);
    }
    if (isName && GLOB.test(result.word.shape)) {
      this.reasons.push(`glob in the command name ${node.text}`);
      return dynamicWord(node.text);
    }
    return result.word.value;
  }

  /** `NAME=value` as a word; a value only known at run time is marked after the `=`. */
  private assignment(node: Node): string {
    const name = node.childForFieldName('name')?.text ?? '';
    const value = node.childForFieldName('value');
    if (!value) return `${name}=`;
    const resolved = resolveWord(value);
    return resolved.ok ? `${name}=${resolved.word.value}` : `${name}=${dynamicWord(value.text)}`;
  }

  /** How redirections change what a command reads and writes. */
  private redirections(redirects: readonly Node[], around: Surroundings): Surroundings {
    let stdin = around.stdin;
    const writes = [...around.writes];
    for (const redirect of redirects) {
      if (redirect.type === 'heredoc_redirect') {
        stdin = { kind: 'text', text: heredocText(redirect) };
        const nested = redirect.children.filter((child): child is Node => child?.type === 'file_redirect');
        writes.push(...this.redirections(nested, OUTSIDE).writes);
      } else if (redirect.type === 'herestring_redirect') {
        const word = redirect.namedChildren.find((child) => child !== null && child.type !== 'file_descriptor');
        const resolved = word ? resolveWord(word) : null;
        stdin = { kind: 'text', text: resolved?.ok ? `${resolved.word.value}\n` : null };
      } else if (redirect.type === 'file_redirect') {
        const target = fileRedirect(redirect);
        if (target.kind === 'reads-pipe') stdin = PIPE;
        else if (target.kind === 'writes') writes.push(target.file);
      }
    }
    return { stdin, writes };
  }

  /** Commands inside a redirection: substitutions in its words, and the rest of a pipeline or list that the grammar hangs on a here-document. */
  private redirectParts(redirect: Node, around: Surroundings): void {
    if (redirect.type !== 'heredoc_redirect') return this.walk(redirect, { stdin: around.stdin, writes: [] });
    for (let i = 0; i < redirect.childCount; i++) {
      const child = redirect.child(i);
      if (!child) continue;
      const field = redirect.fieldNameForChild(i);
      if (child.type === 'pipeline') this.pipeline(child, around, true);
      else if (field === 'operator') this.pending = child.type === '&&' || child.type === '||' ? child.type : ';';
      else if (field === 'right') this.walk(child, around);
      else if (child.isNamed) this.walk(child, { stdin: around.stdin, writes: [] });
    }
  }

  private stray(node: Node): void {
    const what = `unsupported syntax ${node.isNamed ? node.type : ''} ${JSON.stringify(node.text)}`.replace('  ', ' ');
    this.reasons.push(what);
    this.unresolved.push(what);
  }
}

type FileTarget = { kind: 'harmless' } | { kind: 'reads-pipe' } | { kind: 'writes'; file: string };

/**
 * What one `<`/`>` redirection does: duplicating or closing a descriptor, reading a file and
 * discarding output into /dev/null are harmless; reading from `<(...)` is reading a pipe;
 * anything else writes a file (`<>` included, which creates it).
 */
function fileRedirect(node: Node): FileTarget {
  const operator = node.children.find((child) => child !== null && !child.isNamed)?.type ?? '';
  const destination = node.childForFieldName('destination');
  if (operator === '>&-' || operator === '<&-') return { kind: 'harmless' };
  if ((operator === '>&' || operator === '<&') && destination?.type === 'number') return { kind: 'harmless' };
  if (destination?.type === 'process_substitution') return operator.startsWith('<') ? { kind: 'reads-pipe' } : { kind: 'harmless' };
  if (operator === '<') return { kind: 'harmless' };
  if (!destination) return { kind: 'writes', file: dynamicWord(node.text) };
  const resolved = resolveWord(destination);
  if (!resolved.ok) return { kind: 'writes', file: dynamicWord(destination.text) };
  return resolved.word.value === '/dev/null' ? { kind: 'harmless' } : { kind: 'writes', file: resolved.word.value };
}

/**
 * The text a here-document feeds: its body, as bash would pass it. A quoted delimiter keeps
 * the body literal; otherwise expansions make it known only at run time (null), and the
 * escapes bash honours there are applied. `<<-` strips leading tabs.
 */
function heredocText(node: Node): string | null {
  const start = node.children.find((child) => child?.type === 'heredoc_start');
  const body = node.children.find((child) => child?.type === 'heredoc_body');
  const quoted = start ? /['"\\]/.test(start.text) : false;
  if (!body) return '';
  if (!quoted && body.namedChildren.some((child) => child !== null && child.type !== 'heredoc_content')) return null;
  let text = body.text;
  if (!quoted) text = text.replace(/\\([$`\\\n])/g, (_, ch: string) => (ch === '\n' ? '' : ch));
  const stripTabs = node.children.some((child) => child?.type === '<<-');
  return stripTabs ? text.replace(/^\t+/gm, '') : text;
}
