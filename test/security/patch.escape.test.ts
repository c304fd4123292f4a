/**
 * Patches are written by statecraft itself, outside the sandbox, so they must keep to what
 * the sandbox lets a command write: nothing that resolves outside the writable roots (through
 * a symlink, `..` or an absolute path) and nothing in a root's .git, .statecraft or .codex,
 * unless a person says yes. Each attempt goes through the real preparation, policy check and
 * patch actors, under every approval policy; a symlink swapped in between the check and the
 * write must not redirect it either.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecSessions } from '../../actors/exec/index.js';
import { RuleBaseline } from '../../actors/policy/index.js';
import { prepareToolCall, toolWork } from '../../actors/runtime/tool.actors.js';
import { policyCheckInput, type PatchCall, type PolicyVerdict } from '../../machines/index.js';
import type { ApprovalPolicy } from '../../protocol/index.js';
import { settingsFixture } from '../machines/fixtures.js';
import { readTree } from '../actors/patch/helpers.js';
import { CLI } from '../support/appServer.js';
import { scenes, text } from '../e2e/appServer/client.js';

/**
 * A fresh world per attempt, all under /var/tmp (the temp dirs are writable roots, so
 * nothing here may live under them): the workspace, its parent, and a victim directory
 * outside every root that symlinks in the workspace point at.
 */
interface World {
  root: string;
  ws: string;
  victim: string;
  /** Every file and link under the root and the victim, to compare before and after. */
  state(): Record<string, string>;
}

const worlds: string[] = [];
afterEach(() => {
  for (const dir of worlds.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function world(): World {
  const root = realpathSync(mkdtempSync('/var/tmp/statecraft-patch-escape-'));
  worlds.push(root);
  const ws = join(root, 'ws');
  const victim = join(root, 'victim');
  mkdirSync(join(ws, '.git', 'hooks'), { recursive: true });
  mkdirSync(join(ws, 'inner'));
  mkdirSync(victim);
  writeFileSync(join(ws, '.git', 'config'), '[core]\n\tbare = false\n');
  writeFileSync(join(ws, 'inside.txt'), 'inside\n');
  writeFileSync(join(ws, 'inner', 'old.txt'), 'old\n');
  writeFileSync(join(victim, 'precious.txt'), 'keep me\n');
  writeFileSync(join(victim, 'old.txt'), 'victim old\n');
  symlinkSync(victim, join(ws, 'door'));
  symlinkSync(join(victim, 'precious.txt'), join(ws, 'door-file.txt'));
  symlinkSync(join(victim, 'planted.txt'), join(ws, 'dangling'));
  symlinkSync('.git', join(ws, 'gitlink'));
  return { root, ws, victim, state: () => readTree(root) };
}

const wrap = (body: string) => `*** Begin Patch\n${body}*** End Patch\n`;

interface Attempt {
  name: string;
  patch: (w: World) => string;
}

const attempts: Attempt[] = [
  { name: 'adding a file through a directory symlink', patch: () => wrap('*** Add File: door/planted.txt\n+x\n') },
  { name: 'adding a nested file through a directory symlink', patch: () => wrap('*** Add File: door/new/deep.txt\n+x\n') },
  { name: 'updating a file through a directory symlink', patch: () => wrap('*** Update File: door/precious.txt\n@@\n-keep me\n+owned\n') },
  { name: 'updating a file symlink that points out', patch: () => wrap('*** Update File: door-file.txt\n@@\n-keep me\n+owned\n') },
  { name: 'deleting a file through a directory symlink', patch: () => wrap('*** Delete File: door/precious.txt\n') },
  { name: 'moving a file into a directory symlink', patch: () => wrap('*** Update File: inside.txt\n*** Move to: door/moved.txt\n@@\n-inside\n+moved\n') },
  { name: 'moving a file out of a directory symlink', patch: () => wrap('*** Update File: door/precious.txt\n*** Move to: stolen.txt\n') },
  { name: 'adding through a dangling symlink', patch: () => wrap('*** Add File: dangling\n+x\n') },
  { name: 'adding a git hook', patch: () => wrap('*** Add File: .git/hooks/pre-commit\n+#!/bin/sh\n+touch /tmp/owned\n') },
  { name: 'editing .git/config', patch: () => wrap('*** Update File: .git/config\n@@\n [core]\n+\tfsmonitor = touch /tmp/owned\n') },
  { name: 'adding a git hook through a symlink to .git', patch: () => wrap('*** Add File: gitlink/hooks/post-checkout\n+#!/bin/sh\n') },
  { name: 'creating .statecraft/config.toml', patch: () => wrap('*** Add File: .statecraft/config.toml\n+sandbox_mode = "danger-full-access"\n') },
  { name: 'creating a file in .codex', patch: () => wrap('*** Add File: .codex/x\n+x\n') },
  { name: 'climbing out with ../', patch: () => wrap('*** Add File: ../escaped.txt\n+x\n') },
  { name: 'an absolute path outside the roots', patch: (w) => wrap(`*** Add File: ${w.victim}/abs.txt\n+x\n`) },
];

const sessions = new ExecSessions();

/** The patch actors of a thread in `ws` under `approvalPolicy` with a workspace-write sandbox. */
function actorsFor(ws: string, approvalPolicy: ApprovalPolicy) {
  const settings = settingsFixture({ cwd: ws, approvalPolicy, sandboxMode: 'workspace-write', projectTrusted: false });
  const work = toolWork(sessions.roots, { sandboxAvailable: async () => true, env: {}, home: ws, rules: new RuleBaseline(), onRuleError: () => {} });
  return {
    prepare: (patch: string) => prepareToolCall({ callId: 'c', name: 'apply_patch', kind: 'custom', payload: patch }, settings, sessions, {}),
    check: (prepared: PatchCall): Promise<PolicyVerdict> => work.checkPolicy(policyCheckInput(prepared, settings, [])),
    apply: (prepared: PatchCall) => work.applyPatch({ run: prepared.run }),
  };
}

describe('patches that would write outside the writable roots or into protected folders', () => {
  for (const approvalPolicy of ['untrusted', 'on-failure', 'on-request', 'never'] as const) {
    for (const { name, patch } of attempts) {
      it(`${approvalPolicy}: ${name}`, async () => {
        const w = world();
        const before = w.state();
        const { prepare, check, apply } = actorsFor(w.ws, approvalPolicy);
        const prepared = await prepare(patch(w));
        expect(prepared.kind, JSON.stringify(prepared)).toBe('patch');
        if (prepared.kind !== 'patch') return;
        const verdict = await check(prepared);
        // What today's code would do without asking: write it. Then the world must show it.
        if (verdict.decision === 'run') await apply(prepared);
        expect(verdict.decision, JSON.stringify(verdict)).toBe(approvalPolicy === 'never' ? 'refuse' : 'ask');
        expect(w.state()).toEqual(before);
      });
    }
  }

  it('names where a symlinked path really leads, and why a protected folder needs a yes', async () => {
    const w = world();
    const { prepare, check } = actorsFor(w.ws, 'on-request');
    const prepared = await prepare(wrap('*** Add File: door/planted.txt\n+x\n*** Add File: .git/hooks/pre-commit\n+x\n'));
    if (prepared.kind !== 'patch') throw new Error(JSON.stringify(prepared));
    const verdict = await check(prepared);
    if (verdict.decision !== 'ask') throw new Error(JSON.stringify(verdict));
    expect(verdict.reason).toContain(`${join(w.ws, 'door/planted.txt')} (really ${join(w.victim, 'planted.txt')})`);
    expect(verdict.reason).toContain(join(w.ws, '.git/hooks/pre-commit'));
    expect(verdict.reason).toMatch(/\.git.*read-only/);
  });

  it('still writes inside the workspace without asking, through a symlink that stays inside', async () => {
    const w = world();
    symlinkSync('inner', join(w.ws, 'alias'));
    const { prepare, check, apply } = actorsFor(w.ws, 'on-request');
    const prepared = await prepare(wrap('*** Add File: alias/new.txt\n+new\n*** Update File: inside.txt\n@@\n-inside\n+changed\n'));
    if (prepared.kind !== 'patch') throw new Error(JSON.stringify(prepared));
    expect(await check(prepared)).toMatchObject({ decision: 'run' });
    expect(await apply(prepared)).toMatchObject({ status: 'completed' });
    expect(readTree(w.ws)).toMatchObject({ 'inner/new.txt': 'new\n', 'inside.txt': 'changed\n' });
  });
});

describe('a symlink swapped in after the patch was checked', () => {
  /** Plans and approves `patch` (it stays inside the workspace), lets `swap` run, then applies it. */
  async function swapThenApply(patch: string, swap: (w: World) => void) {
    const w = world();
    const { prepare, check, apply } = actorsFor(w.ws, 'on-request');
    const prepared = await prepare(wrap(patch));
    if (prepared.kind !== 'patch') throw new Error(JSON.stringify(prepared));
    expect(await check(prepared)).toMatchObject({ decision: 'run' });
    swap(w);
    const after = w.state();
    const outcome = await apply(prepared);
    return { w, after, outcome };
  }

  const dirToLink = (w: World) => {
    rmSync(join(w.ws, 'inner'), { recursive: true });
    symlinkSync(w.victim, join(w.ws, 'inner'));
  };

  it('fails the whole patch when a directory it writes in became a link out', async () => {
    const { w, after, outcome } = await swapThenApply('*** Update File: inside.txt\n@@\n-inside\n+changed\n*** Add File: inner/planted.txt\n+x\n', dirToLink);
    expect(outcome).toMatchObject({ status: 'failed', modelOutput: expect.stringContaining('nothing was written') });
    expect(w.state()).toEqual(after);
  });

  it('fails the whole patch when a directory it creates a folder in became a link out', async () => {
    const { w, after, outcome } = await swapThenApply('*** Add File: inner/new/deep.txt\n+x\n', dirToLink);
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(w.state()).toEqual(after);
  });

  it('fails the whole patch when the directory of a file it deletes became a link out', async () => {
    const { w, after, outcome } = await swapThenApply('*** Update File: inside.txt\n@@\n-inside\n+changed\n*** Delete File: inner/old.txt\n', dirToLink);
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(w.state()).toEqual(after);
  });

  it('fails the whole patch when a parent of the workspace file became a link out', async () => {
    const { w, after, outcome } = await swapThenApply('*** Add File: inner/deeper/x.txt\n+x\n*** Update File: inside.txt\n@@\n-inside\n+changed\n', (w) => {
      mkdirSync(join(w.victim, 'deeper'));
      dirToLink(w);
    });
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(w.state()).toEqual(after);
  });

  it('replaces a file that became a link out instead of writing through it', async () => {
    const { w, outcome } = await swapThenApply('*** Update File: inside.txt\n@@\n-inside\n+changed\n', (w) => {
      rmSync(join(w.ws, 'inside.txt'));
      symlinkSync(join(w.victim, 'precious.txt'), join(w.ws, 'inside.txt'));
    });
    expect(outcome).toMatchObject({ status: 'completed' });
    expect(readTree(w.victim)).toEqual({ 'old.txt': 'victim old\n', 'precious.txt': 'keep me\n' });
    expect(readTree(w.ws)['inside.txt']).toBe('changed\n');
  });
});

describe('statecraft apply-patch refuses the same paths', () => {
  for (const { name, patch } of attempts) {
    it(name, async () => {
      const w = world();
      const before = w.state();
      const result = await execa('node', [CLI, 'apply-patch', '-C', w.ws], { input: patch(w), reject: false });
      expect(result.exitCode, result.stdout).toBe(1);
      expect(result.stderr).toContain('statecraft apply-patch: refusing to write');
      expect(w.state()).toEqual(before);
    });
  }
});

describe('end to end through the app-server', () => {
  const scene = scenes();

  it('asks before a patch through a symlink, and writes nothing outside when declined', async () => {
    const w = world();
    const patch = wrap('*** Add File: door/planted.txt\n+x\n');
    const f = await scene.open({ turns: [[{ custom: 'apply_patch', input: patch }], [{ text: 'ok' }]] });
    const requests: any[] = [];
    const c = scene.connect(f, (msg) => (requests.push(msg), { decision: 'decline' }));
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: w.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('plant it') });
    await c.waitFor('turn/completed');
    expect(requests.map((r) => r.method)).toEqual(['item/fileChange/requestApproval']);
    expect(requests[0].params.reason).toContain(join(w.victim, 'planted.txt'));
    expect(readTree(w.victim)).toEqual({ 'old.txt': 'victim old\n', 'precious.txt': 'keep me\n' });
  });

  it('refuses a patch into .git under approval policy never, and tells the model', async () => {
    const w = world();
    const f = await scene.open({ turns: [[{ custom: 'apply_patch', input: wrap('*** Add File: .git/hooks/pre-commit\n+#!/bin/sh\n') }], [{ text: 'ok' }]] });
    const c = scene.connect(f, () => ({ decision: 'accept' }));
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: w.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('hook it') });
    await c.waitFor('turn/completed');
    expect(c.messages.some((m) => m.method === 'item/fileChange/requestApproval')).toBe(false);
    expect(readTree(join(w.ws, '.git'))).toEqual({ config: '[core]\n\tbare = false\n' });
    expect(JSON.stringify(f.model.requests[1])).toContain('apply_patch was not applied');
  });
});
