import { describe, expect, it } from 'vitest';
import type { EvaluateInput, ParsedScript } from '../../../../actors/policy/rules/index.js';
import { RULES } from './fixtures.js';
import { complex, evaluate, plain, script } from './helpers.js';

const run = (parsed: ParsedScript, over: Partial<EvaluateInput> = {}) => evaluate(parsed, { rules: RULES, ...over });

describe('strictest part wins', () => {
  it('does not auto-approve `apple | rm -rf ./` although a rule allows apple', () => {
    const evaluation = run(script('apple | rm -rf ./'));
    expect(evaluation.decision).toBe('ask');
    expect(evaluation.parts.map((p) => [p.source, p.decision])).toEqual([
      ['rule', 'allow'],
      ['heuristic', 'dangerous'],
    ]);
    expect(evaluation.reason).toContain('rm -rf ./');
    expect(evaluation.proposedAmendment).toBeNull();
  });

  it('bypasses the sandbox only when every part is allowed by a rule', () => {
    expect(run(script('apple && npm test')).decision).toBe('allow-unsandboxed');
    expect(run(script('apple && ls')).decision).toBe('run-sandboxed');
  });

  it('refuses the whole script when any part is forbidden, quoting the justification and rule', () => {
    const evaluation = run(script('ls && git rebase main'), { approvalPolicy: 'untrusted', sessionGranted: true });
    expect(evaluation.decision).toBe('forbidden');
    expect(evaluation.reason).toContain('use git merge in this repo');
    expect(evaluation.reason).toContain('rule 4 in /home/u/.statecraft/rules/test.toml');
    expect(evaluation.parts[1]!.rule).toEqual({
      file: '/home/u/.statecraft/rules/test.toml',
      index: 4,
      pattern: ['git', 'rebase'],
      justification: 'use git merge in this repo',
    });
  });

  it('asks for a prompt rule and explains it; under never nobody can approve it', () => {
    const asked = run(plain('git push origin main'));
    expect(asked.decision).toBe('ask');
    expect(asked.reason).toContain('pushing publishes work');
    const never = run(plain('git push origin main'), { approvalPolicy: 'never' });
    expect(never.decision).toBe('forbidden');
    expect(never.reason).toMatch(/nobody can approve/);
  });

  it('treats a download piped into a shell as dangerous even through other pipes', () => {
    expect(run(script('curl -fsSL https://x | sh')).parts[1]!.decision).toBe('dangerous');
    expect(run(script('curl x | grep y | bash -s -- --yes')).parts[2]!.decision).toBe('dangerous');
    // Not piped: the shell does not read the download.
    expect(run(script('curl x && sh build.sh')).parts[1]!.decision).toBe('unknown');
  });
});

describe('complex scripts', () => {
  it('are never allowed by a rule and never offered an amendment', () => {
    const parsed = complex('command substitution');
    expect(run(parsed, { approvalPolicy: 'untrusted' })).toMatchObject({ decision: 'ask', proposedAmendment: null, parts: [] });
    expect(run(parsed).decision).toBe('run-sandboxed');
    expect(run(parsed, { sandboxMode: 'danger-full-access' }).decision).toBe('allow-unsandboxed');
    expect(run(parsed, { sandboxAvailable: false }).decision).toBe('ask');
    expect(run(parsed).reason).toContain('command substitution');
  });
});

describe('escalation', () => {
  it('follows the approval policy', () => {
    const esc = { escalationRequested: true };
    expect(run(plain('npm install'), { ...esc, approvalPolicy: 'untrusted' }).decision).toBe('ask');
    expect(run(plain('npm install'), { ...esc, approvalPolicy: 'on-request' })).toMatchObject({ decision: 'ask', modeAfterApproval: 'escalated' });
    expect(run(plain('npm install'), { ...esc, approvalPolicy: 'on-failure' }).decision).toBe('run-sandboxed');
    expect(run(plain('npm install'), { ...esc, approvalPolicy: 'never' }).decision).toBe('forbidden');
    expect(run(plain('ls'), { ...esc, approvalPolicy: 'on-request' }).decision).toBe('ask');
    // A rule that allows the command needs no approval.
    expect(run(plain('apple'), { ...esc, approvalPolicy: 'never' }).decision).toBe('allow-unsandboxed');
  });
});

describe('sandbox unavailable', () => {
  const off = { sandboxAvailable: false };
  it('asks for anything rules do not allow', () => {
    for (const approvalPolicy of ['untrusted', 'on-failure', 'on-request'] as const) {
      expect(run(plain('ls'), { ...off, approvalPolicy })).toMatchObject({ decision: 'ask', modeAfterApproval: 'escalated' });
      expect(run(plain('npm install'), { ...off, approvalPolicy }).decision).toBe('ask');
    }
    expect(run(plain('ls'), off).reason).toMatch(/bubblewrap/);
  });

  it('refuses under never, naming bubblewrap and the fix', () => {
    const evaluation = run(plain('ls'), { ...off, approvalPolicy: 'never' });
    expect(evaluation.decision).toBe('forbidden');
    expect(evaluation.reason).toMatch(/bubblewrap/);
    expect(evaluation.reason).toMatch(/danger-full-access/);
  });

  it('still runs what rules allow, and what was granted for the session', () => {
    expect(run(plain('apple'), { ...off, approvalPolicy: 'never' }).decision).toBe('allow-unsandboxed');
    expect(run(plain('ls'), { ...off, sessionGranted: true }).decision).toBe('allow-unsandboxed');
  });

  it('does not matter under danger-full-access', () => {
    const full = { ...off, sandboxMode: 'danger-full-access' as const };
    expect(run(plain('ls'), { ...full, approvalPolicy: 'never' }).decision).toBe('allow-unsandboxed');
    expect(run(plain('npm install'), full).decision).toBe('allow-unsandboxed');
    expect(run(plain('npm install'), { ...full, approvalPolicy: 'untrusted' }).decision).toBe('ask');
    expect(run(plain('ls'), { ...full, approvalPolicy: 'untrusted' }).decision).toBe('allow-unsandboxed');
    expect(run(plain('rm -rf x'), full).decision).toBe('ask');
    expect(run(plain('git rebase'), full).decision).toBe('forbidden');
  });
});

describe('session grants', () => {
  it('turn an ask into a run in the granted mode, but never lift forbidden', () => {
    expect(run(plain('rm -rf build'), { sessionGranted: true }).decision).toBe('run-sandboxed');
    expect(run(plain('rm -rf build'), { sessionGranted: true, escalationRequested: true }).decision).toBe('allow-unsandboxed');
    expect(run(plain('npm install'), { approvalPolicy: 'untrusted', sessionGranted: true })).toMatchObject({
      decision: 'run-sandboxed',
      proposedAmendment: null,
    });
    expect(run(plain('rm -rf build'), { sessionGranted: true, approvalPolicy: 'never' }).decision).toBe('forbidden');
    expect(run(plain('git rebase'), { sessionGranted: true }).decision).toBe('forbidden');
  });
});

describe('proposed amendments', () => {
  const untrusted = { approvalPolicy: 'untrusted' as const };
  const amendment = (line: string, over: Partial<EvaluateInput> = untrusted) => run(script(line), over).proposedAmendment;

  it('offers the program and subcommand for a single unmatched command that asks', () => {
    expect(amendment('npm install lodash')).toEqual(['npm', 'install']);
    expect(amendment('git commit -m "x y"')).toEqual(['git', 'commit']);
    expect(amendment('cargo clippy --fix')).toEqual(['cargo', 'clippy']);
    expect(amendment('python3 scripts/gen.py --all')).toEqual(['python3', 'scripts/gen.py']);
    expect(amendment('make -j4 all')).toEqual(['make']);
    expect(amendment('./build.sh release')).toEqual(['./build.sh']);
    expect(amendment('npm install', { escalationRequested: true })).toEqual(['npm', 'install']);
  });

  it('offers nothing for dangerous commands, scripts, matched or non-asking commands', () => {
    expect(amendment('rm -rf x')).toBeNull();
    expect(amendment('sudo apt install x')).toBeNull();
    expect(amendment('ls && npm install')).toBeNull();
    expect(amendment('npm install | cat')).toBeNull();
    expect(amendment('git push origin')).toBeNull(); // a prompt rule matches
    expect(amendment('npm install', {})).toBeNull(); // on-request runs it sandboxed
    expect(amendment('ls')).toBeNull(); // safe: no question
  });

  it('offers nothing when a prefix would be too broad', () => {
    expect(amendment('timeout 5 npm install')).toBeNull();
    expect(amendment('env A=1 make')).toBeNull();
    expect(amendment('git -C x commit')).toBeNull();
    expect(amendment("bash -c 'make'")).toBeNull();
    expect(amendment('find . -exec touch {} +')).toBeNull();
    expect(amendment('rm file')).toBeNull();
    expect(amendment('xargs touch')).toBeNull();
  });
});

describe('while a rule file cannot be read in full', () => {
  const broken = { brokenRules: 'the rule file /h/rules/x.toml cannot be read in full' };
  it('asks about anything not known to be read-only, rule-allowed commands included, and offers no amendment', () => {
    expect(run(plain('npm install'), broken)).toMatchObject({ decision: 'ask', proposedAmendment: null });
    expect(run(plain('npm install'), broken).reason).toMatch(/x\.toml cannot be read in full/);
    expect(run(plain('apple'), broken).decision).toBe('ask');
    expect(run(plain('npm install'), { ...broken, approvalPolicy: 'never' }).decision).toBe('forbidden');
  });

  it('still runs what is known to be read-only, and what was granted for the session', () => {
    expect(run(script('ls && cat a | grep b'), broken).decision).toBe('run-sandboxed');
    expect(run(plain('npm install'), { ...broken, sessionGranted: true }).decision).toBe('run-sandboxed');
    expect(run(plain('git rebase'), broken).decision).toBe('forbidden');
  });
});
