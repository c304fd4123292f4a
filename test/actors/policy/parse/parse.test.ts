import { beforeAll, describe, expect, it } from 'vitest';
import { loadBashParser, type BashParser } from '../../../../actors/policy/parse/index.js';

let parser: BashParser;
beforeAll(async () => {
  parser = await loadBashParser();
});

/** Plain scripts: the argv of each command, and the operators between them. */
const PLAIN: Array<[script: string, argvs: string[][], operators?: string[]]> = [
  ['ls -la', [['ls', '-la']]],
  ['git status && git diff', [['git', 'status'], ['git', 'diff']], ['&&']],
  ['rg foo | head -n 5', [['rg', 'foo'], ['head', '-n', '5']], ['|']],
  ["cat 'a b.txt'", [['cat', 'a b.txt']]],
  ['echo "hi there"', [['echo', 'hi there']]],
  [`a"b"'c'`, [['abc']]],
  ['ls 2>/dev/null', [['ls']]],
  ['ls 2>&1 | head', [['ls'], ['head']], ['|']],
  ['ls >/dev/null 2>&1', [['ls']]],
  ['ls &>/dev/null', [['ls']]],
  ['ls >&2', [['ls']]],
  ['make 2>&-', [['make']]],
  ['a || b; c', [['a'], ['b'], ['c']], ['||', ';']],
  ['a | b | c && d', [['a'], ['b'], ['c'], ['d']], ['|', '|', '&&']],
  ['ls\npwd', [['ls'], ['pwd']], [';']],
  ['ls; ', [['ls']]],
  ['', []],
  ['# just a comment', []],
  ['ls # trailing comment', [['ls']]],
  ['ls *.ts src/?.md', [['ls', '*.ts', 'src/?.md']]],
  ['cat ~/notes.txt', [['cat', '~/notes.txt']]],
  ['echo "a\\"b" a\\ b', [['echo', 'a"b', 'a b']]],
  ['echo "back\\\\slash" "keep\\n"', [['echo', 'back\\slash', 'keep\\n']]],
  ["echo $'tab\\there'", [['echo', 'tab\there']]],
  ['echo ""', [['echo', '']]],
  ['"./my tool" --flag=1', [['./my tool', '--flag=1']]],
  ['find . -name "*.ts" -exec wc -l {} \\;', [['find', '.', '-name', '*.ts', '-exec', 'wc', '-l', '{}', ';']]],
  ['rg -n "fn main" src', [['rg', '-n', 'fn main', 'src']]],
  ['echo a\\\nb c', [['echo', 'ab', 'c']]],
  ['rg foo \\\n  src', [['rg', 'foo', 'src']]],
  ['ls |& cat', [['ls'], ['cat']], ['|']],
  ['git log --oneline -n 3', [['git', 'log', '--oneline', '-n', '3']]],
  ['npm test -- --run', [['npm', 'test', '--', '--run']]],
  ['echo é "ü"', [['echo', 'é', 'ü']]],
  ['bash -lc "ls"; pwd', [['bash', '-lc', 'ls'], ['pwd']], [';']],
];

/** Complex scripts: a fragment each listed reason must contain. */
const COMPLEX: Array<[script: string, reasons: string[]]> = [
  ['echo $(whoami)', ['command substitution']],
  ['echo `id`', ['backticks']],
  ['cat <(ls)', ['process substitution']],
  ['echo hi > out.txt', ['redirection to a file']],
  ['cat <<EOF\nhello\nEOF', ['heredoc']],
  ['cat <<< hi', ['here-string']],
  ['(cd x && ls)', ['subshell']],
  ['{ ls; }', ['brace group']],
  ['if true; then ls; fi', ['control flow']],
  ['for f in *; do echo $f; done', ['control flow', 'variable expansion']],
  ['while true; do ls; done', ['control flow']],
  ['case x in a) ls;; esac', ['control flow']],
  ['FOO=1 rm -rf x', ['environment assignment FOO=1']],
  ['x=1', ['variable assignment x=1']],
  ['export PATH=/tmp', ['declaration']],
  ['$CMD arg', ['variable expansion']],
  ['echo ${HOME}', ['variable expansion']],
  ['echo "hi $USER"', ['variable expansion']],
  ['f() { ls; }', ['function definition']],
  ['ls &', ['background &']],
  ['ls & pwd', ['background &']],
  ['! ls', ['negation !']],
  ['echo hi >> ~/.bashrc', ['redirection to a file']],
  ['cat < input.txt', ['redirection from a file']],
  ['ls 2>errors.log', ['redirection to a file']],
  ['eval "rm -rf /"', ['eval']],
  ['echo $((1 + 2))', ['arithmetic']],
  ['((x++))', ['arithmetic']],
  ['[[ -f x ]]', ['test expression']],
  ['echo {a,b}', ['brace expansion']],
  ['echo {1..3}', ['brace expansion']],
  ['ls &&', ['parse error']],
  ["echo 'unbalanced", ['parse error']],
  ['echo "unbalanced', ['parse error']],
  ['ls | ', ['parse error']],
  ['ls ;; pwd', ['unsupported syntax']],
  ['echo $"hello"', ['translated string']],
  ["echo $'\\x41'", ['ANSI-C escape']],
  ['unset X', ['unset']],
];

describe('BashParser.parse: plain scripts', () => {
  it.each(PLAIN)('%j', (script, argvs, operators = []) => {
    const parsed = parser.parse(script);
    expect(parsed).toMatchObject({ kind: 'plain', operators });
    if (parsed.kind !== 'plain') return;
    expect(parsed.commands.map((command) => command.argv)).toEqual(argvs);
  });

  it('keeps each command source text, harmless redirections included', () => {
    const parsed = parser.parse('git status  &&  ls 2>/dev/null | head -n 2');
    expect(parsed.kind === 'plain' && parsed.commands.map((command) => command.text)).toEqual([
      'git status',
      'ls 2>/dev/null',
      'head -n 2',
    ]);
  });
});

describe('BashParser.parse: complex scripts', () => {
  it.each(COMPLEX)('%j', (script, fragments) => {
    const parsed = parser.parse(script);
    expect(parsed.kind).toBe('complex');
    if (parsed.kind !== 'complex') return;
    for (const fragment of fragments) expect(parsed.reasons.join(' | ')).toContain(fragment);
  });

  it('lists each reason once', () => {
    const parsed = parser.parse('echo $a $b $(x) $(y)');
    expect(parsed).toEqual({ kind: 'complex', reasons: ['variable expansion', 'command substitution $(...)'] });
  });
});

it('loads the grammar once', async () => {
  expect(await loadBashParser()).toBe(parser);
});
