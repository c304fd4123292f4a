/** Approvals of `statecraft mcp-server` as MCP elicitations, answered by the SDK client's elicitation handler. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, mcpScenes, textOf } from './harness.js';

type Json = any;

const scene = mcpScenes();
let elsewhere: string | null = null;
afterEach(async () => {
  if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  elsewhere = null;
});

/** A command the model asks to run outside the sandbox, which on-request asks the user about. */
const escalated = (cmd: string) => ({ call: 'exec_command', args: { cmd, sandbox_permissions: 'require_escalated', justification: 'it needs the network' } });
const add = (path: string, ...lines: string[]) => `*** Begin Patch\n*** Add File: ${path}\n${lines.map((l) => `+${l}\n`).join('')}*** End Patch\n`;
/** What the model was told about its calls in the request after them. */
const callOutputs = (request: Json): string[] =>
  (request.input as Json[])
    .filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    .map((item) => JSON.stringify(item.output));

describe('mcp-server: command approvals through elicitation', () => {
  it('asks with the command, cwd, reason and codex_* fields, and runs the command on accept', async () => {
    const f = await scene.open({ turns: [[escalated('touch accepted.txt && echo ran-it')], [{ text: 'done' }]] });
    const c = await scene.connect(f, { elicit: () => ({ action: 'accept', content: { decision: 'accept' } }) });
    const result = await c.call('statecraft', { prompt: 'touch it', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('done');

    expect(c.elicitations).toHaveLength(1);
    const [asked] = c.elicitations;
    const approval = eventsOf(c.events, 'item/commandExecution/requestApproval')[0].event.params;
    expect(asked.message).toContain('touch accepted.txt && echo ran-it');
    expect(asked.message).toContain(f.ws);
    expect(asked.message).toContain('it needs the network');
    expect(asked).toMatchObject({
      codex_elicitation: 'exec-approval',
      codex_mcp_tool_call_id: eventsOf(c.events, 'turn/started')[0]._meta.requestId,
      codex_event_id: approval.turnId,
      codex_call_id: approval.itemId,
      codex_command: approval.command,
      codex_cwd: f.ws,
      codex_parsed_cmd: approval.commandActions,
    });
    expect(asked.requestedSchema.type).toBe('object');

    expect(existsSync(join(f.ws, 'accepted.txt'))).toBe(true);
    const completed = eventsOf(c.events, 'item/completed').find((event) => event.event.params.item.type === 'commandExecution');
    expect(completed.event.params.item.status).toBe('completed');
    expect(completed.event.params.item.aggregatedOutput).toContain('ran-it');
    // The runtime saw the answer: the request is resolved before the command's item completes.
    const methods = c.events.map((event) => event.event.method);
    expect(methods.indexOf('serverRequest/resolved')).toBeGreaterThan(methods.indexOf('item/commandExecution/requestApproval'));
    expect(methods.indexOf('serverRequest/resolved')).toBeLessThan(c.events.indexOf(completed));
    await c.close();
  });

  it('does not run the command on decline and tells the model', async () => {
    const f = await scene.open({ turns: [[escalated('touch declined.txt')], [{ text: 'understood' }]] });
    const c = await scene.connect(f, { elicit: () => ({ action: 'decline' }) });
    const result = await c.call('statecraft', { prompt: 'touch it', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(textOf(result)).toBe('understood');
    expect(c.elicitations).toHaveLength(1);
    expect(existsSync(join(f.ws, 'declined.txt'))).toBe(false);
    const completed = eventsOf(c.events, 'item/completed').find((event) => event.event.params.item.type === 'commandExecution');
    expect(completed.event.params.item.status).toBe('declined');
    expect(callOutputs(f.model.requests[1]).join()).toMatch(/was rejected by the user/);
    await c.close();
  });

  it('accept for the session (from the form content) does not ask again for the same command', async () => {
    const f = await scene.open({ turns: [[escalated('echo again')], [escalated('echo again')], [{ text: 'twice' }]] });
    const c = await scene.connect(f, { elicit: () => ({ action: 'accept', content: { decision: 'acceptForSession' } }) });
    const result = await c.call('statecraft', { prompt: 'twice', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(textOf(result)).toBe('twice');
    expect(c.elicitations).toHaveLength(1);
    expect(c.elicitations[0].requestedSchema.properties.decision.enum).toEqual(['accept', 'acceptForSession']);
    const commands = eventsOf(c.events, 'item/completed').filter((event) => event.event.params.item.type === 'commandExecution');
    expect(commands.map((event) => event.event.params.item.status)).toEqual(['completed', 'completed']);
    await c.close();
  });

  it('cancel ends the turn interrupted, with nothing run', async () => {
    const f = await scene.open({ turns: [[escalated('touch cancelled.txt')], [{ text: 'never asked for' }]] });
    const c = await scene.connect(f, { elicit: () => ({ action: 'cancel' }) });
    const result = await c.call('statecraft', { prompt: 'touch it', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/interrupted/);
    expect(existsSync(join(f.ws, 'cancelled.txt'))).toBe(false);
    expect(eventsOf(c.events, 'turn/completed')[0].event.params.turn.status).toBe('interrupted');
    await c.close();
  });

  it('a client without the elicitation capability gets the command declined, never a hang', async () => {
    const f = await scene.open({ turns: [[escalated('touch unasked.txt')], [{ text: 'went on without it' }]] });
    const c = await scene.connect(f, { elicit: null });
    const result = await c.call('statecraft', { prompt: 'touch it', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(textOf(result)).toBe('went on without it');
    expect(existsSync(join(f.ws, 'unasked.txt'))).toBe(false);
    expect(callOutputs(f.model.requests[1]).join()).toMatch(/was rejected by the user/);
    expect(c.stderr()).toMatch(/declined `.*touch unasked\.txt.*`: the client cannot be asked \(it has no elicitation capability\)/);
    await c.close();
  });
});

describe('mcp-server: patch approvals through elicitation', () => {
  it('asks with the files, the reason, the grant root and the changes, and writes on accept', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-mcp-patch-');
    const target = join(elsewhere, 'new.txt');
    const f = await scene.open({ turns: [[{ custom: 'apply_patch', input: add(target, 'outside') }], [{ text: 'patched' }]] });
    const c = await scene.connect(f, { elicit: () => ({ action: 'accept' }) });
    const result = await c.call('statecraft', { prompt: 'patch it', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(textOf(result)).toBe('patched');
    expect(c.elicitations).toHaveLength(1);
    const [asked] = c.elicitations;
    const approval = eventsOf(c.events, 'item/fileChange/requestApproval')[0].event.params;
    expect(asked.message).toContain(target);
    expect(asked).toMatchObject({
      codex_elicitation: 'patch-approval',
      codex_event_id: approval.turnId,
      codex_call_id: approval.itemId,
      codex_reason: approval.reason,
      codex_grant_root: elsewhere,
      codex_changes: [{ path: target, kind: { type: 'add' }, diff: expect.stringContaining('outside') }],
    });
    expect(typeof asked.codex_mcp_tool_call_id).toBe('number');
    expect(await readFile(target, 'utf8')).toBe('outside\n');
    await c.close();
  });

  it('leaves the disk untouched on decline', async () => {
    elsewhere = await mkdtemp('/var/tmp/statecraft-mcp-patch-');
    const target = join(elsewhere, 'new.txt');
    const f = await scene.open({ turns: [[{ custom: 'apply_patch', input: add(target, 'outside') }], [{ text: 'not patched' }]] });
    const c = await scene.connect(f, { elicit: () => ({ action: 'decline' }) });
    const result = await c.call('statecraft', { prompt: 'patch it', cwd: f.ws, 'approval-policy': 'on-request', sandbox: 'workspace-write' });
    expect(textOf(result)).toBe('not patched');
    expect(existsSync(target)).toBe(false);
    expect(callOutputs(f.model.requests[1]).join()).toContain('patch rejected by user');
    await c.close();
  });
});
