import { describe, expect, it } from 'vitest';
import { classifyCommand, strictestPart } from '../../../../actors/policy/rules/index.js';
import { evaluate, plain } from './helpers.js';

/** The heuristics' verdict on a command and everything it runs, with no rules: the strictest part's. */
const level = (line: string) => strictestPart(evaluate(plain(line)).parts)!.decision;

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
    ['timeout 5', 'safe'],
    ['timeout --bogus 5 ls', 'dangerous'],
    ['nice -5 ls', 'safe'],
    ['date -d yesterday +%F', 'safe'],
    ['env -i PATH=/bin ls', 'dangerous'],
    ['sed -n 1,5p;10p f', 'safe'],
    ['sed -n 1,5w out f', 'unknown'],
    ['rg -uz foo', 'unknown'],
    ['rg --pre=cat foo', 'dangerous'],
    ['ag --pager less foo', 'dangerous'],
    ['sed -n 1,5w out f', 'unknown'],
    ["sed 's/a/b/w out' f", 'unknown'],
    ["sed 'y/abc/xyz/;s/x/y/2g' f", 'safe'],
    ["sed -e '/a/a\\' -e 'text' f", 'safe'],
    ["sed '/x/e' f", 'dangerous'],
    ["sed 'k' f", 'dangerous'],
    ["awk '$1 ~ /a|b/' f", 'dangerous'],
    ["awk 'a || b' f", 'safe'],
    ["perl -ne 'print' f", 'unknown'],
    ['python3 -m http.server', 'unknown'],
    ['bash script.sh', 'unknown'],
    ['bash', 'unknown'],
    ['fish -c ls', 'dangerous'],
    ['source ./env.sh', 'unknown'],
    ['trap - EXIT', 'safe'],
    ["alias ll='ls -l'", 'safe'],
    ['export FOO=1', 'safe'],
    ['export LD_PRELOAD=x', 'dangerous'],
    ['crontab -l', 'safe'],
    ['ssh -o ConnectTimeout=5 host', 'unknown'],
    ['ssh -lroot host', 'unknown'],
    ['ssh -F ./cfg host', 'dangerous'],
    ['git --exec-path', 'safe'],
    ['git push -u origin main', 'unknown'],
    ['git clone -u x src', 'dangerous'],
    ['command -v rm', 'safe'],
    ['time -o out ls', 'unknown'],
    ['parallel ::: ls pwd', 'safe'],
    ["parallel ::: 'rm -rf x'", 'dangerous'],
    ['parallel -a cmds.txt', 'dangerous'],
    ['kill -l', 'unknown'],
    ['kill -s KILL -- -1', 'dangerous'],
    ['rm -- -rf', 'unknown'],
    ['systemctl reboot', 'dangerous'],
    ['find . -execdir rm {} +', 'unknown'],
    ['find . -ok rm -f {} +', 'dangerous'],
    ['find . -exec {} \\;', 'dangerous'],
    ['/usr/bin/sudo -u root ls', 'dangerous'],
  ])('%s → %s', (line, expected) => {
    expect(level(line)).toBe(expected);
  });

  it('explains its verdicts', () => {
    expect(classifyCommand(['rm', '-rf', '/']).why).toMatch(/rm -r\/-f/);
    expect(classifyCommand(['git', '-c', 'core.pager=x', 'log']).why).toMatch(/git -c sets configuration/);
    expect(classifyCommand([]).level).toBe('unknown');
  });

  it('says what a command runs, for the evaluation to judge', () => {
    expect(classifyCommand(['timeout', '5', 'rm', '-rf', 'x'])).toMatchObject({ level: 'safe', runs: [{ kind: 'command', argv: ['rm', '-rf', 'x'] }] });
    expect(classifyCommand(['sh', '-c', 'rm -rf x'])).toMatchObject({ level: 'safe', runs: [{ kind: 'script', script: 'rm -rf x' }] });
    expect(classifyCommand(['sh'], { kind: 'pipe' }).level).toBe('dangerous');
    expect(classifyCommand(['sh'], { kind: 'text', text: 'ls\n' })).toMatchObject({ runs: [{ kind: 'script', script: 'ls\n' }] });
  });
});
