import { beforeAll, describe, expect, it } from 'vitest';
import { isDynamic, loadBashParser, shownWord, type BashParser } from '../../../../actors/policy/parse/index.js';

let parser: BashParser;
beforeAll(async () => {
  parser = await loadBashParser();
});

/** Plain scripts: the argv of each command, and the operators between them. */
const PLAIN: Array<[script: string, argvs: string[][], operators?: string[]]> = [
  ['ls -la', [['ls', '-la']]],
  [
    'git status && git diff',
    [
      ['git', 'status'],
      ['git', 'diff'],
    ],
    ['&&'],
  ],
  [
    'rg foo | head -n 5',
    [
      ['rg', 'foo'],
      ['head', '-n', '5'],
    ],
    ['|'],
  ],
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
  ['eval "rm -rf /"', [['eval', 'rm -rf /']]],
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
    expect(parsed.kind === 'plain' && parsed.commands.map((command) => command.text)).toEqual(['git status', 'ls 2>/dev/null', 'head -n 2']);
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
    expect(parsed).toMatchObject({ kind: 'complex', reasons: ['variable expansion', 'command substitution $(...)'] });
  });
});

/** Every command a script can run, wherever it sits: [script, argv of each command, shown without the dynamic mark]. */
const NESTED: Array<[script: string, argvs: string[][]]> = [
  [
    'echo $(rm -rf x)',
    [
      ['echo', '$(rm -rf x)'],
      ['rm', '-rf', 'x'],
    ],
  ],
  ['echo `id`', [['echo', '`id`'], ['id']]],
  [
    'diff <(ls a) >(wc -l)',
    [
      ['diff', '<(ls a)', '>(wc -l)'],
      ['ls', 'a'],
      ['wc', '-l'],
    ],
  ],
  [
    '(cd a && rm b)',
    [
      ['cd', 'a'],
      ['rm', 'b'],
    ],
  ],
  ['{ ls; pwd; }', [['ls'], ['pwd']]],
  ['if a; then b; elif c; then d; else e; fi', [['a'], ['b'], ['c'], ['d'], ['e']]],
  ['for f in $(g); do h "$f"; done', [['g'], ['h', '"$f"']]],
  ['while a; do b; done; until c; do d; done', [['a'], ['b'], ['c'], ['d']]],
  ['case $(a) in x) b;; *) c;; esac', [['a'], ['b'], ['c']]],
  ['f() { rm -rf x; }; f', [['rm', '-rf', 'x'], ['f']]],
  ['X=1 Y=$(a) rm x', [['X=1', 'Y=$(a)', 'rm', 'x'], ['a']]],
  ['x=$(a); export Y=$(b) Z', [['x=$(a)'], ['a'], ['export', 'Y=$(b)', 'Z'], ['b']]],
  ['[[ -n $(a) ]] && echo ${v:-$(b)}', [['a'], ['echo', '${v:-$(b)}'], ['b']]],
  ['echo $(( $(a) + 1 ))', [['echo', '$(( $(a) + 1 ))'], ['a']]],
  ['cat <<EOF\n$(a)\nEOF', [['cat'], ['a']]],
  ['cat <<EOF | sh\nx\nEOF', [['cat'], ['sh']]],
  ['cat <<EOF && b\nx\nEOF', [['cat'], ['b']]],
  ['ls > $(a)', [['ls'], ['a']]],
  ['! a', [['a']]],
];

describe('BashParser.parse: every command, wherever it sits', () => {
  it.each(NESTED)('%j', (script, argvs) => {
    expect(parser.parse(script).commands.map((command) => command.argv.map(shownWord))).toEqual(argvs);
  });

  it('marks words only known at run time, and command names with globs', () => {
    const [echo] = parser.parse('echo "$HOME" plain').commands;
    expect(echo!.argv.map(isDynamic)).toEqual([false, true, false]);
    expect(parser.parse('/usr/bin/r[m] x').commands[0]!.argv.map(isDynamic)).toEqual([true, false]);
    expect(parser.parse('ls *.ts').commands[0]!.argv.map(isDynamic)).toEqual([false, false]);
  });

  it('says where input comes from: a pipe, a process substitution, or inline text', () => {
    const stdin = (script: string) => parser.parse(script).commands.map((command) => command.stdin ?? null);
    expect(stdin('a | b | c')).toEqual([null, { kind: 'pipe' }, { kind: 'pipe' }]);
    expect(stdin('sh < <(a)')).toEqual([{ kind: 'pipe' }, null]);
    expect(stdin("sh <<'EOF'\necho $x\nEOF")).toEqual([{ kind: 'text', text: 'echo $x\n' }]);
    expect(stdin('sh <<EOF\necho \\$x\nEOF')).toEqual([{ kind: 'text', text: 'echo $x\n' }]);
    expect(stdin('sh <<EOF\necho $x\nEOF')).toEqual([{ kind: 'text', text: null }]);
    expect(stdin('sh <<-EOF\n\techo hi\n\tEOF')).toEqual([{ kind: 'text', text: 'echo hi\n' }]);
    expect(stdin("sh <<< 'echo hi'")).toEqual([{ kind: 'text', text: 'echo hi\n' }]);
    expect(stdin('sh <<< "$x"')).toEqual([{ kind: 'text', text: null }]);
    expect(stdin('a | { b; c; }')).toEqual([null, { kind: 'pipe' }, { kind: 'pipe' }]);
    expect(stdin('sh < script.sh')).toEqual([null]);
  });

  it('lists the files redirections write, and only those', () => {
    const writes = (script: string) => parser.parse(script).commands.map((command) => command.writes ?? []);
    expect(writes('ls > a 2>> b &> c 2>/dev/null 2>&1 < d')).toEqual([['a', 'b', 'c']]);
    expect(writes('{ a; b; } > out')).toEqual([['out'], ['out']]);
    expect(writes('echo $(a) > out')).toEqual([['out'], []]);
    expect(writes('ls > >(a)')).toEqual([[], []]);
  });

  it('names what it cannot read at all', () => {
    expect(parser.parse('ls &&')).toMatchObject({ kind: 'complex', unresolved: ['parse error'] });
    expect(parser.parse('ls ;; pwd')).toMatchObject({ kind: 'complex', unresolved: ['unsupported syntax ";;"'] });
    expect(parser.parse('echo $(ls)')).toMatchObject({ kind: 'complex', unresolved: [] });
  });
});

it('loads the grammar once', async () => {
  expect(await loadBashParser()).toBe(parser);
});
