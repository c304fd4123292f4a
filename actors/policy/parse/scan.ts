import type { Node } from 'web-tree-sitter';

const CONTROL_FLOW = 'control flow (if/for/while/case)';

/** Node types that by themselves make a script something we do not analyse. */
const REASONS: Record<string, string> = {
  process_substitution: 'process substitution <(...)',
  heredoc_redirect: 'heredoc <<',
  herestring_redirect: 'here-string <<<',
  subshell: 'subshell (...)',
  if_statement: CONTROL_FLOW,
  for_statement: CONTROL_FLOW,
  c_style_for_statement: CONTROL_FLOW,
  while_statement: CONTROL_FLOW,
  case_statement: CONTROL_FLOW,
  simple_expansion: 'variable expansion',
  expansion: 'variable expansion',
  function_definition: 'function definition',
  negated_command: 'negation !',
  arithmetic_expansion: 'arithmetic $((...))',
  test_command: 'test expression [[ ... ]]',
  declaration_command: 'declaration (export/declare/local/readonly)',
  unset_command: 'unset',
  brace_expression: 'brace expansion {a..b}',
  ERROR: 'parse error',
};

/**
 * Redirections kept in plain scripts: duplicating or closing a descriptor (`2>&1`, `>&2`,
 * `2>&-`) and output thrown away (`>/dev/null`, `2>>/dev/null`, `&>/dev/null`). Reading from
 * or writing to any other file is a side effect the command words do not show.
 */
function redirectionProblem(node: Node): string | null {
  const operator = node.children.find((child) => child !== null && !child.isNamed)?.type ?? '';
  const destination = node.childForFieldName('destination');
  if (operator === '>&-' || operator === '<&-') return null;
  if ((operator === '>&' || operator === '<&') && destination?.type === 'number') return null;
  const discards = ['>', '>>', '&>', '&>>', '>|'].includes(operator);
  if (discards && destination?.type === 'word' && destination.text === '/dev/null') return null;
  const direction = operator.startsWith('<') ? 'from' : 'to';
  return `redirection ${direction} a file (${node.text})`;
}

/** Why this one node makes the script complex, or null when it is fine on its own. */
function problemOf(node: Node): string | null {
  if (node.isMissing) return 'parse error';
  if (!node.isNamed) return node.type === '&' ? 'background &' : null;
  const known = REASONS[node.type];
  if (known) return known;
  switch (node.type) {
    case 'command_substitution':
      return node.firstChild?.type === '`' ? 'backticks `...`' : 'command substitution $(...)';
    case 'compound_statement':
      return node.firstChild?.type === '((' ? 'arithmetic ((...))' : 'brace group { ...; }';
    case 'file_redirect':
      return redirectionProblem(node);
    case 'variable_assignment':
      return node.parent?.type === 'command'
        ? `environment assignment ${node.text}`
        : node.parent?.type === 'declaration_command'
          ? null
          : `variable assignment ${node.text}`;
    default:
      return null;
  }
}

/** Every reason, without repeats, found anywhere in the tree, nested parts included. */
export function scanReasons(root: Node): string[] {
  const reasons = new Set<string>();
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const problem = problemOf(node);
    if (problem) reasons.add(problem);
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
  if (root.hasError && reasons.size === 0) reasons.add('parse error');
  return [...reasons];
}
