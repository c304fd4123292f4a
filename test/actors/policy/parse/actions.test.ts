import { beforeAll, describe, expect, it } from 'vitest';
import { commandActionsFor, loadBashParser, parseCommand, type BashParser } from '../../../../actors/policy/parse/index.js';
import type { CommandAction } from '../../../../protocol/index.js';

let parser: BashParser;
beforeAll(async () => {
  parser = await loadBashParser();
});

const cwd = '/ws';
const actionsOf = (script: string): CommandAction[] => commandActionsFor(parseCommand(parser, script), cwd, script);

describe('commandActionsFor', () => {
  it.each<[string, CommandAction[]]>([
    ['cat src/a.ts', [{ type: 'read', command: 'cat src/a.ts', name: 'a.ts', path: '/ws/src/a.ts' }]],
    ["cat 'my notes.md'", [{ type: 'read', command: "cat 'my notes.md'", name: 'my notes.md', path: '/ws/my notes.md' }]],
    ['head -n 20 /etc/hosts', [{ type: 'read', command: 'head -n 20 /etc/hosts', name: 'hosts', path: '/etc/hosts' }]],
    ['sed -n 1,40p b.md', [{ type: 'read', command: 'sed -n 1,40p b.md', name: 'b.md', path: '/ws/b.md' }]],
    ['ls -la', [{ type: 'listFiles', command: 'ls -la', path: null }]],
    ['ls src 2>/dev/null', [{ type: 'listFiles', command: 'ls src 2>/dev/null', path: 'src' }]],
    ['find . -name "*.ts"', [{ type: 'listFiles', command: 'find . -name "*.ts"', path: '.' }]],
    ['rg --files src', [{ type: 'listFiles', command: 'rg --files src', path: 'src' }]],
    ['rg -n "fn main" src', [{ type: 'search', command: 'rg -n "fn main" src', query: 'fn main', path: 'src' }]],
    ['grep -rn -e bar', [{ type: 'search', command: 'grep -rn -e bar', query: 'bar', path: null }]],
    ['git grep baz lib', [{ type: 'search', command: 'git grep baz lib', query: 'baz', path: 'lib' }]],
    ['rg foo | head -n 5', [{ type: 'search', command: 'rg foo', query: 'foo', path: null }]],
    ['cd pkg && cat a.txt', [{ type: 'read', command: 'cat a.txt', name: 'a.txt', path: '/ws/pkg/a.txt' }]],
    ['cd "my pkg" && cat a.txt', [{ type: 'read', command: 'cat a.txt', name: 'a.txt', path: '/ws/my pkg/a.txt' }]],
    ['bash -lc "cd pkg && rg x"', [{ type: 'search', command: 'rg x', query: 'x', path: null }]],
    [
      'ls src && cat README.md; rg x src | wc -l',
      [
        { type: 'listFiles', command: 'ls src', path: 'src' },
        { type: 'read', command: 'cat README.md', name: 'README.md', path: '/ws/README.md' },
        { type: 'search', command: 'rg x src', query: 'x', path: 'src' },
      ],
    ],
    ['ls && ls', [{ type: 'listFiles', command: 'ls', path: null }]],
  ])('%j', (script, expected) => {
    expect(actionsOf(script)).toEqual(expected);
  });

  it.each([
    'echo $(x)',
    'echo hi',
    'cat a > b',
    'ls && echo hi',
    'sleep 1 &',
    'npm test',
    'cd src',
    'cd ~ && cat a',
    'cd x | cat a',
    'ls |',
    'cat *.ts',
    'cat a b',
    'find . -delete',
    'rg',
    '',
  ])('%j is one unknown action for the whole script', (script) => {
    expect(actionsOf(script)).toEqual([{ type: 'unknown', command: script }]);
  });

  it('uses the full text given for unknown scripts', () => {
    expect(
      commandActionsFor({ kind: 'complex', reasons: ['subshell (...)'], commands: [{ argv: ['ls'], text: 'ls' }], unresolved: [] }, cwd, "bash -lc '(ls)'"),
    ).toEqual([{ type: 'unknown', command: "bash -lc '(ls)'" }]);
  });
});
