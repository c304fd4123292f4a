/** Command safety end to end: rules, amendments, sandbox refusals, through the app-server. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Script } from '../../../actors/model/index.js';
import { scenes, text, type Fixture } from '../appServer/client.js';

const scene = scenes();
/** The current test's fixture. */
let f: Fixture;
/** A directory outside every writable root (the temp dirs are writable roots, so not under /tmp). */
let elsewhere: string | null = null;
const outsideDir = async () => (elsewhere = await mkdtemp('/var/tmp/statecraft-policy-'));
afterEach(async () => {
  if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  elsewhere = null;
});

const exec = (cmd: string) => ({ call: 'exec_command', args: { cmd } });

async function session(script: Script, answer: (msg: any) => any) {
  f = await scene.open(script);
  const c = scene.connect(f, answer);
  await c.init();
  return c;
}

describe('command policy through the app-server', () => {
  it('asks for `apple | rm -rf ./` even though `apple` is allowed by a rule', async () => {
    let asked: any = null;
    const c = await session({ turns: [[exec('apple | rm -rf ./')], [{ text: 'ok' }]] }, (msg) => {
      asked = msg;
      return { decision: 'decline' };
    });
    await mkdir(join(f.home, 'rules'), { recursive: true });
    await writeFile(join(f.home, 'rules', 'fruit.toml'), '[[rule]]\npattern = ["apple"]\ndecision = "allow"\nmatch = ["apple pie"]\n');
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('go') });
    await c.waitFor('turn/completed');
    expect(asked?.method).toBe('item/commandExecution/requestApproval');
    expect(asked.params.reason).toMatch(/rm -rf/);
    // A compound command is never offered as an amendment.
    expect(asked.params.availableDecisions.some((d: unknown) => typeof d === 'object')).toBe(false);
  });

  it('stores an accepted amendment as a rule and never asks for that prefix again', async () => {
    const decisions: any[] = [];
    const c = await session({ turns: [[exec('mytool run --fast')], [{ text: 'first' }], [exec('mytool run --slow')], [{ text: 'second' }]] }, (msg) => {
      decisions.push(msg);
      const amendment = msg.params.availableDecisions.find((d: any) => typeof d === 'object');
      return { decision: amendment };
    });
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'untrusted', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('first') });
    await c.waitFor('turn/completed');
    expect(decisions).toHaveLength(1);
    expect(decisions[0].params.proposedExecpolicyAmendment).toEqual(['mytool']);
    const rules = await readFile(join(f.home, 'rules', 'default.toml'), 'utf8');
    expect(rules).toMatch(/pattern = \[\s*"mytool"\s*\]/);
    expect(rules).toMatch(/decision = "allow"/);

    await c.call('turn/start', { threadId: thread.id, input: text('second') });
    await c.waitFor('turn/completed', () => true, 15_000, c.messages.findIndex((m) => m.method === 'turn/completed') + 1);
    expect(decisions).toHaveLength(1);
  });

  it('never stores an amendment other than the one offered, and treats the answer as a decline', async () => {
    let offered: unknown = null;
    const c = await session({ turns: [[exec('touch made-by-touch')], [{ text: 'done' }]] }, (msg) => {
      offered = msg.params.proposedExecpolicyAmendment;
      return { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['bash'] } } };
    });
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'untrusted', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('touch') });
    await c.waitFor('turn/completed');
    expect(offered).toEqual(['touch']);
    const rules = await readFile(join(f.home, 'rules', 'default.toml'), 'utf8').catch(() => '');
    expect(rules).not.toMatch(/bash/);
    expect(rules).not.toMatch(/decision = "allow"/);
    const completed = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === 'call_1_0');
    expect(completed.params.item.status).toBe('declined');
    expect(existsSync(join(f.ws, 'made-by-touch'))).toBe(false);
  });

  it('does not let a rule file written during the thread allow anything: an approved escalation plants one, the next command stays in the sandbox', async () => {
    const target = join(await outsideDir(), 'planted-rule-ran');
    const plant = `mkdir -p .statecraft/rules && printf '[[rule]]\\npattern = ["touch"]\\ndecision = "allow"\\n' > .statecraft/rules/agent.toml`;
    const asked: string[] = [];
    const c = await session(
      {
        turns: [
          [{ call: 'exec_command', args: { cmd: plant, sandbox_permissions: 'require_escalated', justification: 'set up the project' } }],
          [{ text: 'planted' }],
          [exec(`touch ${target}`)],
          [{ text: 'touched' }],
        ],
      },
      (msg) => {
        asked.push(msg.params.command);
        return { decision: asked.length === 1 ? 'accept' : 'decline' };
      },
    );
    await writeFile(join(f.home, 'config.toml'), `${await readFile(join(f.home, 'config.toml'), 'utf8')}\n[projects."${f.ws}"]\ntrust_level = "trusted"\n`);
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('plant') });
    await c.waitFor('turn/completed');
    expect(existsSync(join(f.ws, '.statecraft', 'rules', 'agent.toml'))).toBe(true);
    await c.call('turn/start', { threadId: thread.id, input: text('touch') });
    await c.waitFor('turn/completed', () => true, 15_000, c.messages.findIndex((m) => m.method === 'turn/completed') + 1);
    // Allowed by the planted rule it would run unconfined; judged without it, it runs in the sandbox, which refuses.
    expect(asked).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
    const touched = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === 'call_3_0');
    expect(touched.params.item.aggregatedOutput).toMatch(/Read-only file system/);
    expect(c.stderr()).toMatch(/agent\.toml .*during this thread/);
  });

  it('remembers acceptForSession for the same command in the thread', async () => {
    let asked = 0;
    const c = await session({ turns: [[exec('mytool x')], [{ text: 'a' }], [exec('mytool x')], [{ text: 'b' }]] }, () => {
      asked += 1;
      return { decision: 'acceptForSession' };
    });
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'untrusted', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('a') });
    await c.waitFor('turn/completed');
    await c.call('turn/start', { threadId: thread.id, input: text('b') });
    await c.waitFor('turn/completed', () => true, 15_000, c.messages.findIndex((m) => m.method === 'turn/completed') + 1);
    expect(asked).toBe(1);
  });

  it('under on-failure offers to re-run a command the sandbox refused, in the same item', async () => {
    const target = join(await outsideDir(), 'outside.txt');
    const c = await session({ turns: [[exec(`touch ${target}`)], [{ text: 'done' }]] }, () => ({ decision: 'accept' }));
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-failure', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('write outside') });
    await c.waitFor('turn/completed');
    const methods = c.messages.filter((m) => m.params?.itemId === 'call_1_0' || m.params?.item?.id === 'call_1_0').map((m) => m.method);
    expect(methods[0]).toBe('item/started');
    expect(methods).toContain('item/commandExecution/requestApproval');
    expect(methods.at(-1)).toBe('item/completed');
    expect(methods.filter((m) => m === 'item/started')).toHaveLength(1);
    const request = c.messages.find((m) => m.method === 'item/commandExecution/requestApproval');
    expect(request.params.reason).toMatch(/sandbox blocked/i);
    expect(existsSync(target)).toBe(true);
    const completed = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === 'call_1_0');
    expect(completed.params.item.status).toBe('completed');
  });

  it('shows a sandbox refusal as a failed item when nobody may be asked', async () => {
    const target = join(await outsideDir(), 'outside.txt');
    const c = await session({ turns: [[exec(`touch ${target}`)], [{ text: 'done' }]] }, () => ({ decision: 'accept' }));
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('write outside') });
    await c.waitFor('turn/completed');
    expect(c.messages.some((m) => m.method === 'item/commandExecution/requestApproval')).toBe(false);
    const completed = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === 'call_1_0');
    expect(completed.params.item.status).toBe('failed');
    expect(completed.params.item.aggregatedOutput).toMatch(/Read-only file system/);
    expect(existsSync(target)).toBe(false);
  });

  it('reports a broken rule file on stderr, and asks about what its unreadable rule covers', async () => {
    let asked: any = null;
    const c = await session({ turns: [[exec('ls')], [{ text: 'ok' }]] }, (msg) => {
      asked = msg;
      return { decision: 'decline' };
    });
    await mkdir(join(f.home, 'rules'), { recursive: true });
    await writeFile(join(f.home, 'rules', 'broken.toml'), '[[rule]]\npattern = ["ls"]\ndecision = "alow"\n');
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('list') });
    await c.waitFor('turn/completed');
    expect(c.stderr()).toContain('broken.toml');
    expect(c.stderr()).toMatch(/rule\[1\]\.decision/);
    // "alow" could have meant anything: the rule's pattern is asked about until the file is fixed.
    expect(asked?.params.reason).toMatch(/broken\.toml/);
    const completed = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === 'call_1_0');
    expect(completed.params.item.status).toBe('declined');
  });

  it('keeps the forbidden rules of a rule file with a syntax error elsewhere', async () => {
    const c = await session({ turns: [[exec('touch forbidden-file')], [{ text: 'ok' }]] }, () => ({ decision: 'accept' }));
    await mkdir(join(f.home, 'rules'), { recursive: true });
    await writeFile(
      join(f.home, 'rules', 'strict.toml'),
      '[[rule]]\npattern = ["touch"]\ndecision = "forbidden"\njustification = "no touching"\n\n[[rule]]\npattern = ["ls"\ndecision = "allow"\n',
    );
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('touch') });
    await c.waitFor('turn/completed');
    expect(c.stderr()).toMatch(/strict\.toml:\d+:\d+: invalid TOML/);
    expect(c.stderr()).toMatch(/its 1 forbidden and prompt rule that can be read still apply/);
    expect(c.messages.some((m) => m.method === 'item/commandExecution/requestApproval')).toBe(false);
    expect(existsSync(join(f.ws, 'forbidden-file'))).toBe(false);
    expect(JSON.stringify(f.model.requests.at(-1))).toMatch(/no touching/);
  });

  it('asks about every command not known to be read-only while a rule cannot be read at all', async () => {
    const asked: string[] = [];
    const c = await session({ turns: [[exec('ls'), exec('touch lost-file')], [{ text: 'ok' }]] }, (msg) => {
      asked.push(msg.params.command);
      return { decision: 'decline' };
    });
    await mkdir(join(f.home, 'rules'), { recursive: true });
    await writeFile(join(f.home, 'rules', 'lost.toml'), '[[rule]]\npattern = ["touch", \ndecision = "forbidden"\n');
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('go') });
    await c.waitFor('turn/completed');
    expect(c.stderr()).toMatch(/some of its rules cannot be read/);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/touch lost-file/);
    expect(existsSync(join(f.ws, 'lost-file'))).toBe(false);
  });
});
