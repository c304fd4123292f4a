import { beforeAll, describe, expect, it } from 'vitest';
import { loadBashParser, parseCommand, unwrapShell, type BashParser } from '../../../../actors/policy/parse/index.js';

let parser: BashParser;
beforeAll(async () => {
  parser = await loadBashParser();
});

describe('unwrapShell', () => {
  it.each([
    [['bash', '-lc', 'ls'], 'ls'],
    [['bash', '-c', 'ls && pwd'], 'ls && pwd'],
    [['sh', '-c', 'echo hi'], 'echo hi'],
    [['zsh', '-lc', 'ls'], 'ls'],
    [['/bin/bash', '-lc', 'ls'], 'ls'],
    [['/usr/bin/sh', '-c', 'ls'], 'ls'],
    [['bash', '-l', '-c', 'ls'], 'ls'],
    [['bash', '--login', '-c', 'ls'], 'ls'],
    [['bash', '-euc', 'ls'], 'ls'],
  ])('%j gives its script', (argv, script) => {
    expect(unwrapShell(argv)).toBe(script);
  });

  it.each([
    [['bash']],
    [['bash', 'script.sh']],
    [['bash', '-l', 'ls']],
    [['bash', '-c']],
    [['bash', '-c', 'echo $0', 'name']],
    [['bash', '-ic', 'ls']],
    [['bash', '-o', 'pipefail', '-c', 'ls']],
    [['python', '-c', 'print(1)']],
    [['env', 'bash', '-c', 'ls']],
    [[]],
  ])('%j is not a wrapper', (argv) => {
    expect(unwrapShell(argv)).toBeNull();
  });
});

describe('parseCommand', () => {
  it('unwraps a wrapper written as a script', () => {
    expect(parseCommand(parser, 'bash -lc "ls && pwd"')).toEqual({
      kind: 'plain',
      commands: [
        { argv: ['ls'], text: 'ls' },
        { argv: ['pwd'], text: 'pwd' },
      ],
      operators: ['&&'],
    });
  });

  it('unwraps an argv wrapper', () => {
    expect(parseCommand(parser, ['/bin/bash', '-lc', "cat 'a b' | head"])).toMatchObject({
      kind: 'plain',
      commands: [{ argv: ['cat', 'a b'], text: "cat 'a b'" }, { argv: ['head'] }],
      operators: ['|'],
    });
  });

  it('unwraps nested wrappers', () => {
    expect(parseCommand(parser, `bash -lc "bash -c 'ls'"`)).toEqual({ kind: 'plain', commands: [{ argv: ['ls'], text: 'ls' }], operators: [] });
    expect(parseCommand(parser, ['bash', '-c', `sh -c "bash -lc 'git status'"`])).toMatchObject({
      kind: 'plain',
      commands: [{ argv: ['git', 'status'] }],
    });
  });

  it('finds complexity inside the wrapped script', () => {
    expect(parseCommand(parser, `sh -c 'echo $(id)'`)).toMatchObject({ kind: 'complex', reasons: ['command substitution $(...)'] });
    expect(parseCommand(parser, ['bash', '-lc', 'ls > out'])).toMatchObject({ kind: 'complex' });
    expect(parseCommand(parser, ['bash', '-lc', 'ls &&'])).toMatchObject({ kind: 'complex', reasons: ['parse error'], unresolved: ['parse error'] });
  });

  it('leaves a wrapper that is only part of a script as a bash command', () => {
    const parsed = parseCommand(parser, 'cd x && bash -lc "ls"');
    expect(parsed.kind === 'plain' && parsed.commands.map((command) => command.argv)).toEqual([
      ['cd', 'x'],
      ['bash', '-lc', 'ls'],
    ]);
  });

  it('takes other argv arrays as one command, words untouched', () => {
    expect(parseCommand(parser, ['echo', '$HOME', 'a b'])).toEqual({
      kind: 'plain',
      commands: [{ argv: ['echo', '$HOME', 'a b'], text: "echo '$HOME' 'a b'" }],
      operators: [],
    });
    expect(parseCommand(parser, [])).toMatchObject({ kind: 'complex' });
    expect(parseCommand(parser, ['eval', 'ls'])).toMatchObject({ kind: 'plain', commands: [{ argv: ['eval', 'ls'] }] });
  });

  it('gives up on wrappers nested without end', () => {
    let script = 'ls';
    // Backslash escaping only doubles the length per level, keeping the script small.
    for (let i = 0; i < 10; i++) script = `bash -c ${script.replace(/[\\ ]/g, (ch) => `\\${ch}`)}`;
    expect(parseCommand(parser, script)).toMatchObject({
      kind: 'complex',
      reasons: ['shell wrappers nested too deeply'],
      unresolved: ['shell wrappers nested too deeply'],
    });
  });
});
