import type { Node } from 'web-tree-sitter';
import { scanReasons } from './scan.js';
import type { Operator, ParsedScript, SimpleCommand } from './types.js';
import { resolveWord } from './words.js';

export function complex(reasons: string[]): ParsedScript {
  return { kind: 'complex', reasons: [...new Set(reasons)] };
}

/** Commands that run a string as shell code: as opaque as a wrapper we cannot unwrap. */
const EVALUATORS = new Set(['eval']);

/** Turns a bash syntax tree into a plain list of commands, or says why it cannot. */
export function scriptFromTree(root: Node, source: string): ParsedScript {
  const reasons = scanReasons(root);
  if (reasons.length > 0) return complex(reasons);
  const builder = new Builder(source);
  builder.program(root);
  if (builder.reasons.length > 0) return complex(builder.reasons);
  return { kind: 'plain', commands: builder.commands, operators: builder.operators };
}

class Builder {
  readonly commands: SimpleCommand[] = [];
  readonly operators: Operator[] = [];
  readonly reasons: string[] = [];
  /** Where each command starts in the source. */
  private readonly starts: number[] = [];
  /** The operator seen since the last command; a statement boundary without one is `;`. */
  private pending: Operator | null = null;

  constructor(private readonly source: string) {}

  program(root: Node): void {
    for (const child of root.children) {
      if (!child) continue;
      if (child.isNamed) this.statement(child);
      else if (child.type === ';') this.pending = ';';
      else this.unsupported(child);
    }
  }

  private statement(node: Node): void {
    switch (node.type) {
      case 'comment':
        return;
      case 'command':
        return this.command(node, node);
      case 'redirected_statement': {
        // Only harmless redirections get this far (see scan.ts); they stay in the command's text.
        const body = node.childForFieldName('body');
        if (!body) return this.unsupported(node);
        if (body.type === 'command') return this.command(body, node);
        // The grammar sometimes hangs `a && b 2>/dev/null` on the whole list; bash applies it
        // to the last command, so that command's text is stretched to cover it.
        const before = this.commands.length;
        this.statement(body);
        const last = this.commands.at(-1);
        if (last && this.commands.length > before) last.text = this.source.slice(this.starts.at(-1), node.endIndex);
        return;
      }
      case 'list':
      case 'pipeline':
        for (const child of node.children) {
          if (!child) continue;
          if (child.isNamed) this.statement(child);
          else if (child.type === '&&' || child.type === '||') this.pending = child.type;
          else if (child.type === '|' || child.type === '|&') this.pending = '|';
          else this.unsupported(child);
        }
        return;
      default:
        return this.unsupported(node);
    }
  }

  private command(node: Node, textNode: Node): void {
    const argv: string[] = [];
    let previous: Node | null = null;
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      const field = node.fieldNameForChild(i);
      if (field === 'redirect') continue; // validated by the scan
      const wordNode = field === 'name' ? child.firstNamedChild : field === 'argument' ? child : null;
      if (!wordNode) return this.unsupported(child);
      const word = resolveWord(wordNode);
      if (!word.ok) {
        this.reasons.push(word.reason);
        return;
      }
      // The grammar splits `a\<newline>b` in two, but bash reads it as the single word `ab`.
      if (previous && this.source.slice(previous.endIndex, child.startIndex) === '\\\n') {
        argv[argv.length - 1] += word.word.value;
      } else {
        argv.push(word.word.value);
      }
      previous = child;
    }
    if (argv.length === 0) return this.unsupported(node);
    if (EVALUATORS.has(argv[0]!)) this.reasons.push(`${argv[0]} of a string`);
    if (this.commands.length > 0) this.operators.push(this.pending ?? ';');
    this.pending = null;
    this.commands.push({ argv, text: textNode.text });
    this.starts.push(textNode.startIndex);
  }

  private unsupported(node: Node): void {
    this.reasons.push(`unsupported syntax ${node.isNamed ? node.type : ''} ${JSON.stringify(node.text)}`.replace('  ', ' '));
  }
}
