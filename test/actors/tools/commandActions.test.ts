import { describe, expect, it } from 'vitest';
import { commandActionsOf } from '../../../actors/tools/index.js';

const cwd = '/ws';

describe('commandActionsOf', () => {
  it('reads files', () => {
    expect(commandActionsOf('cat src/a.ts', cwd)).toEqual([{ type: 'read', command: 'cat src/a.ts', name: 'a.ts', path: '/ws/src/a.ts' }]);
    expect(commandActionsOf('head -n 20 /etc/hosts', cwd)).toEqual([{ type: 'read', command: 'head -n 20 /etc/hosts', name: 'hosts', path: '/etc/hosts' }]);
    expect(commandActionsOf('sed -n 1,40p b.md', cwd)).toEqual([{ type: 'read', command: 'sed -n 1,40p b.md', name: 'b.md', path: '/ws/b.md' }]);
  });

  it('lists files', () => {
    expect(commandActionsOf('ls -la', cwd)).toEqual([{ type: 'listFiles', command: 'ls -la', path: null }]);
    expect(commandActionsOf('ls src', cwd)).toEqual([{ type: 'listFiles', command: 'ls src', path: 'src' }]);
    expect(commandActionsOf('find . -name *.ts', cwd)).toEqual([{ type: 'listFiles', command: 'find . -name *.ts', path: '.' }]);
    expect(commandActionsOf('rg --files src', cwd)).toEqual([{ type: 'listFiles', command: 'rg --files src', path: 'src' }]);
    expect(commandActionsOf('find . -delete', cwd)).toEqual([{ type: 'unknown', command: 'find . -delete' }]);
  });

  it('finds searches', () => {
    expect(commandActionsOf('rg -n foo src', cwd)).toEqual([{ type: 'search', command: 'rg -n foo src', query: 'foo', path: 'src' }]);
    expect(commandActionsOf('grep -rn -e bar', cwd)).toEqual([{ type: 'search', command: 'grep -rn -e bar', query: 'bar', path: null }]);
    expect(commandActionsOf('git grep baz lib', cwd)).toEqual([{ type: 'search', command: 'git grep baz lib', query: 'baz', path: 'lib' }]);
  });

  it('drops formatting after a pipe and splits sequences', () => {
    expect(commandActionsOf('rg foo | head -n 5', cwd)).toEqual([{ type: 'search', command: 'rg foo', query: 'foo', path: null }]);
    expect(commandActionsOf('ls src && cat README.md; rg x src | wc -l', cwd)).toEqual([
      { type: 'listFiles', command: 'ls src', path: 'src' },
      { type: 'read', command: 'cat README.md', name: 'README.md', path: '/ws/README.md' },
      { type: 'search', command: 'rg x src', query: 'x', path: 'src' },
    ]);
    expect(commandActionsOf('cd pkg && cat a.txt', cwd)).toEqual([{ type: 'read', command: 'cat a.txt', name: 'a.txt', path: '/ws/pkg/a.txt' }]);
  });

  it('gives one unknown action for anything it does not look into', () => {
    for (const cmd of ['echo $(x)', 'echo hi', 'rg "a b" src', 'cat a > b', 'ls && echo hi', 'sleep 1 &', 'npm test', 'cd src', 'cd ~ && cat a', 'ls |']) {
      expect(commandActionsOf(cmd, cwd)).toEqual([{ type: 'unknown', command: cmd }]);
    }
  });
});
