import { describe, expect, it } from 'vitest';
import { classifyCommand, splitShellWords } from '../../../../actors/policy/rules/index.js';

const level = (line: string) => classifyCommand(splitShellWords(line)).level;

describe('heuristics edge cases', () => {
  it.each([
    ['git branch --contains HEAD', 'safe'],
    ['git branch --contains HEAD newname', 'unknown'],
    ['git checkout -b topic', 'unknown'],
    ['git restore --staged .', 'unknown'],
    ['git restore .', 'dangerous'],
    ['git push origin +main', 'dangerous'],
    ['git log -p --ext-diff', 'unknown'],
    ['xargs -0 -n 1 cat', 'safe'],
    ['xargs -I{} cat {}', 'safe'],
    ['xargs -p cat', 'unknown'],
    ['command -v git', 'safe'],
    ['exec ls', 'safe'],
    ['timeout -s KILL 5 ls', 'safe'],
    ['timeout 5', 'unknown'],
    ['nice -5 ls', 'safe'],
    ['date -d yesterday +%F', 'safe'],
    ['env -i PATH=/bin ls', 'unknown'],
    ['sed -n 1,5p;10p f', 'safe'],
    ['sed -n 1,5w out f', 'unknown'],
    ['rg -uz foo', 'unknown'],
    ['rg --pre=cat foo', 'unknown'],
    ['ag --pager less foo', 'unknown'],
    ['kill -l', 'unknown'],
    ['kill -s KILL -- -1', 'dangerous'],
    ['rm -- -rf', 'unknown'],
    ['systemctl reboot', 'dangerous'],
    ['find . -execdir rm {} +', 'unknown'],
    ['find . -ok rm -f {} +', 'dangerous'],
    ['/usr/bin/sudo -u root ls', 'dangerous'],
  ])('%s → %s', (line, expected) => {
    expect(level(line)).toBe(expected);
  });

  it('explains its verdicts', () => {
    expect(classifyCommand(['rm', '-rf', '/']).why).toMatch(/rm -r\/-f/);
    expect(classifyCommand(['git', '-c', 'core.pager=x', 'log']).why).toMatch(/-c changes what git runs/);
    expect(classifyCommand([]).level).toBe('unknown');
  });
});
