import { describe, expect, it, vi } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import {
  approvalIdOf,
  toolCallMachine,
  type ExecOutcome,
  type PolicyVerdict,
  type PreparedCall,
  type ToolCallInput,
} from '../../machines/index.js';
import type { ProtocolEvent } from '../../protocol/index.js';
import { replayPure } from './harness.js';
import { settingsFixture } from './fixtures.js';
import { lifecycleViolations } from './invariants.js';

type AnyEvent = { type: string; [key: string]: unknown };

const input: ToolCallInput = {
  threadId: 'th',
  turnId: 'tu',
  call: { callId: 'call_1', name: 'exec_command', kind: 'function', payload: '{"cmd":"ls"}' },
  settings: settingsFixture(),
  assessRisk: false,
  sessionGrants: [],
};
const approvalId = approvalIdOf(input);
const view = { command: "/bin/bash -lc 'ls'", cwd: '/ws', commandActions: [{ type: 'listFiles' as const, command: 'ls', path: null }] };

const prepared: Record<string, PreparedCall> = {
  exec: { kind: 'exec', view, run: { argv: ['ls'] }, escalationRequested: false, justification: null, grantKey: 'cmd:ls' },
  writeStdin: { kind: 'writeStdin', view, run: { sessionId: 1 } },
  plan: { kind: 'plan', explanation: 'why', plan: [{ step: 'a', status: 'inProgress' }] },
  viewImage: { kind: 'viewImage', path: 'a.png' },
  invalid: { kind: 'invalid', message: 'failed to parse arguments' },
  patch: { kind: 'patch', changes: [{ path: '/ws/a.txt', kind: { type: 'add' }, diff: 'a\n' }], run: { plan: 1 }, grantRoot: '/ws', grantKey: 'patch:/ws' },
};
const verdicts: PolicyVerdict[] = [
  { decision: 'run', mode: 'sandboxed' },
  { decision: 'run', mode: 'escalated' },
  { decision: 'ask', reason: 'outside', proposedAmendment: null, availableDecisions: ['accept', 'decline', 'cancel'], modeAfterApproval: 'escalated' },
  { decision: 'ask', reason: null, proposedAmendment: null, availableDecisions: ['accept', 'decline'], modeAfterApproval: 'sandboxed' },
  { decision: 'refuse', message: 'not allowed under never' },
];
const outcome = (over: Partial<ExecOutcome>): ExecOutcome => ({
  exitCode: 0,
  stillRunning: false,
  interrupted: false,
  failedToRun: false,
  sandboxDenial: null,
  processId: '42',
  aggregatedOutput: 'out\n',
  durationMs: 5,
  modelOutput: 'Exit code: 0',
  ...over,
});

const events: AnyEvent[] = [
  ...Object.values(prepared).map((output) => ({ type: 'xstate.done.actor.prepareCall', output })),
  { type: 'xstate.error.actor.prepareCall', error: new Error('bad') },
  ...verdicts.map((output) => ({ type: 'xstate.done.actor.checkPolicy', output })),
  { type: 'xstate.error.actor.checkPolicy', error: new Error('rules broken') },
  { type: 'xstate.done.actor.approval', output: { decision: 'accept', abandoned: false } },
  { type: 'xstate.done.actor.approval', output: { decision: 'acceptForSession', abandoned: false } },
  { type: 'xstate.done.actor.approval', output: { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['ls'] } }, abandoned: false } },
  { type: 'xstate.done.actor.amendPolicy', output: undefined },
  { type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.', turnDiff: 'diff --git a/a.txt b/a.txt\n' } },
  { type: 'xstate.done.actor.applyPatch', output: { status: 'failed', modelOutput: 'context not found', turnDiff: null } },
  { type: 'xstate.error.actor.applyPatch', error: new Error('disk full') },
  { type: 'xstate.error.actor.amendPolicy', error: new Error('disk full') },
  { type: 'xstate.done.actor.approval', output: { decision: 'decline', abandoned: false } },
  { type: 'xstate.done.actor.approval', output: { decision: 'cancel', abandoned: false } },
  { type: 'xstate.done.actor.approval', output: { decision: 'cancel', abandoned: true } },
  { type: 'xstate.done.actor.viewImage', output: [{ type: 'function_call_output', call_id: 'call_1', output: 'ok' }] },
  { type: 'xstate.error.actor.viewImage', error: new Error('not an image') },
  { type: 'exec.started', processId: '42' },
  { type: 'exec.output', chunk: 'out\n' },
  { type: 'exec.finished', outcome: outcome({}) },
  { type: 'exec.finished', outcome: outcome({ exitCode: 1, modelOutput: 'Exit code: 1' }) },
  { type: 'exec.finished', outcome: outcome({ exitCode: null, stillRunning: true }) },
  { type: 'exec.finished', outcome: outcome({ exitCode: null, interrupted: true }) },
  { type: 'xstate.after.killGrace.toolCall.running.stopping' },
  { type: 'interrupt' },
];

const relayRequest = (id = approvalId): AnyEvent => ({
  type: 'relay',
  event: {
    method: 'item/commandExecution/requestApproval',
    approvalId: id,
    params: {
      kind: 'command', threadId: 'th', turnId: 'tu', itemId: 'call_1', startedAtMs: 1, environmentId: 'local', reason: null,
      command: view.command, cwd: view.cwd, commandActions: view.commandActions, proposedExecpolicyAmendment: null,
      availableDecisions: ['accept', 'decline'], risk: null,
    },
  } satisfies ProtocolEvent,
});
const relayResolved = (id = approvalId): AnyEvent => ({
  type: 'relay',
  event: { method: 'serverRequest/resolved', approvalId: id, params: { threadId: 'th' } } satisfies ProtocolEvent,
});

/**
 * Path events plus what the approval child publishes on its own (it is a black box to
 * pure transitions): the request when it starts, its resolution before it finishes.
 */
function withApprovalChild(pathEvents: AnyEvent[]): AnyEvent[] {
  const out: AnyEvent[] = [];
  const probe: AnyEvent[] = [];
  for (const event of pathEvents) {
    const before = replayPure(toolCallMachine, input, probe as never).snapshot;
    if (event.type === 'xstate.done.actor.approval') out.push(relayResolved(approvalIdOf(before.context)));
    out.push(event);
    probe.push(event);
    const { snapshot } = replayPure(toolCallMachine, input, probe as never);
    // Each time the call starts waiting on the user, the approval child publishes its request.
    if (snapshot.matches('awaitingApproval') && (!before.matches('awaitingApproval') || event.type === 'exec.finished')) {
      out.push(relayRequest(approvalIdOf(snapshot.context)));
    }
  }
  return out;
}

/** What the environment does after an interrupt, by the state the call is in. */
function settleAfterInterrupt(state: { matches: (value: string) => boolean; context: Parameters<typeof approvalIdOf>[0] }): AnyEvent[] {
  if (state.matches('awaitingApproval')) return [relayResolved(approvalIdOf(state.context)), { type: 'xstate.done.actor.approval', output: { decision: 'cancel', abandoned: true } }];
  if (state.matches('running')) return [{ type: 'exec.finished', outcome: outcome({ exitCode: null, interrupted: true }) }];
  // A patch being written finishes its write (all files or none) before the call ends.
  if (state.matches('applying')) return [{ type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.', turnDiff: null } }];
  return [];
}

const started = performance.now();
// A fixed clock: item timestamps are the only context that differs between equal situations,
// and with them fixed the walk folds equal states together instead of unrolling every order.
vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
const paths = getSimplePaths(toolCallMachine, { input, events: events as never });
console.log(`toolCall graph: ${paths.length} simple paths in ${Math.round(performance.now() - started)} ms`);

describe('toolCall machine, every simple path', () => {
  it('explores every state of the machine', () => {
    const reached = new Set(paths.map((path) => JSON.stringify(path.state.value)));
    for (const state of ['"preparing"', '"policyCheck"', '"awaitingApproval"', '{"running":"sandboxed"}', '{"running":"escalated"}', '{"running":"session"}', '{"running":"stopping"}', '"viewingImage"', '"done"']) {
      expect(reached).toContain(state);
    }
  });

  it('an item is started once, completed once, with approvals and output strictly inside it', () => {
    for (const path of paths) {
      const pathEvents = withApprovalChild(path.steps.slice(1).map((step) => step.event as AnyEvent));
      const { snapshot, emitted } = replayPure(toolCallMachine, input, pathEvents as never);
      const label = pathEvents.map((event) => event.type).join(' > ');
      expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done', scope: 'call' }), label).toEqual([]);
      if (snapshot.status === 'done') {
        expect(snapshot.output?.items.length, label).toBeGreaterThan(0);
        expect(snapshot.output?.items[0]).toMatchObject({ call_id: 'call_1' });
      }
    }
  });

  it('an interrupt from any state ends the call with its item completed and its approval resolved', () => {
    for (const path of paths.filter((p) => p.state.status !== 'done')) {
      const pathEvents = withApprovalChild(path.steps.slice(1).map((step) => step.event as AnyEvent));
      const interrupted = [...pathEvents, { type: 'interrupt' }, ...settleAfterInterrupt(path.state as never)];
      const { snapshot, emitted } = replayPure(toolCallMachine, input, interrupted as never);
      const label = interrupted.map((event) => event.type).join(' > ');
      expect(snapshot.status, label).toBe('done');
      expect(lifecycleViolations(emitted, { finished: true, scope: 'call' }), label).toEqual([]);
      const completion = emitted.find((event) => event.method === 'item/completed');
      if (completion?.method === 'item/completed' && completion.params.item.type === 'commandExecution') {
        expect(['failed', 'declined'], label).toContain(completion.params.item.status);
      }
    }
  });

  it('a process that will not die is given up on after the grace period, its item failed', () => {
    const { snapshot, emitted } = replayPure(toolCallMachine, input, [
      { type: 'xstate.done.actor.prepareCall', output: prepared.exec },
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[0] },
      { type: 'interrupt' },
      { type: 'xstate.after.killGrace.toolCall.running.stopping' },
    ] as never);
    expect(snapshot.status).toBe('done');
    const last = emitted.at(-1);
    expect(last?.method === 'item/completed' && last.params.item.type === 'commandExecution' && last.params.item.status).toBe('failed');
  });
});

describe('toolCall machine, every path after the sandbox refuses a command (on-failure)', () => {
  const onFailure: ToolCallInput = { ...input, settings: { ...settingsFixture(), approvalPolicy: 'on-failure' } };
  const prefix: AnyEvent[] = [
    { type: 'xstate.done.actor.prepareCall', output: prepared.exec },
    { type: 'xstate.done.actor.checkPolicy', output: verdicts[0] },
  ];
  const denied = { type: 'exec.finished', outcome: outcome({ exitCode: 1, sandboxDenial: "touch: cannot touch '/etc/x': Read-only file system" }) };
  const afterDenial: AnyEvent[] = [
    denied,
    { type: 'xstate.done.actor.approval', output: { decision: 'accept', abandoned: false } },
    { type: 'xstate.done.actor.approval', output: { decision: 'decline', abandoned: false } },
    { type: 'xstate.done.actor.approval', output: { decision: 'cancel', abandoned: true } },
    { type: 'exec.finished', outcome: outcome({}) },
    { type: 'exec.finished', outcome: outcome({ exitCode: null, interrupted: true }) },
    { type: 'xstate.after.killGrace.toolCall.running.stopping' },
    { type: 'interrupt' },
  ];
  const fromState = replayPure(toolCallMachine, onFailure, prefix as never).snapshot;
  const refusedPaths = getSimplePaths(toolCallMachine, { input: onFailure, fromState, events: afterDenial as never });

  /** The request and resolution the approval child publishes around each decision, as in the walk above. */
  const withRetryApproval = (pathEvents: AnyEvent[]): AnyEvent[] =>
    pathEvents.flatMap((event, index) => {
      const before = replayPure(toolCallMachine, onFailure, [...prefix, ...pathEvents.slice(0, index)] as never).snapshot;
      const extra: AnyEvent[] = [];
      if (event.type === 'xstate.done.actor.approval') extra.push(relayResolved(approvalIdOf(before.context)));
      extra.push(event);
      const after = replayPure(toolCallMachine, onFailure, [...prefix, ...pathEvents.slice(0, index + 1)] as never).snapshot;
      if (after.matches('awaitingApproval') && !before.matches('awaitingApproval')) extra.push(relayRequest(approvalIdOf(after.context)));
      return extra;
    });

  it('offers a run outside the sandbox and keeps one item on every path', () => {
    expect(refusedPaths.some((path) => path.state.matches('awaitingApproval'))).toBe(true);
    expect(refusedPaths.some((path) => path.state.matches({ running: 'escalated' }))).toBe(true);
    for (const path of refusedPaths) {
      const events = [...prefix, ...withRetryApproval(path.steps.slice(1).map((step) => step.event as AnyEvent))];
      const { snapshot, emitted } = replayPure(toolCallMachine, onFailure, events as never);
      const label = events.map((event) => event.type).join(' > ');
      expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done', scope: 'call' }), label).toEqual([]);
      expect(emitted.filter((event) => event.method === 'item/started'), label).toHaveLength(1);
    }
  });

  it('a refused retry completes the item failed with the sandboxed output and tells the model why', () => {
    const events = [...prefix, denied, relayRequest(`${input.turnId}/${input.call.callId}/retry-approval`), relayResolved(`${input.turnId}/${input.call.callId}/retry-approval`), { type: 'xstate.done.actor.approval', output: { decision: 'decline', abandoned: false } }];
    const { snapshot, emitted } = replayPure(toolCallMachine, onFailure, events as never);
    const completed = emitted.find((event) => event.method === 'item/completed');
    expect(completed?.method === 'item/completed' && completed.params.item.type === 'commandExecution' && completed.params.item.status).toBe('failed');
    expect(JSON.stringify(snapshot.output?.items)).toContain('chose not to run it without the sandbox');
  });

  it('does not offer a retry under on-request unless escalation was asked for', () => {
    const { snapshot } = replayPure(toolCallMachine, input, [...prefix, denied] as never);
    expect(snapshot.status).toBe('done');
  });
});

describe('toolCall machine, what each decision tells the model and the turn', () => {
  const throughApproval = (decision: string) =>
    replayPure(toolCallMachine, input, [
      { type: 'xstate.done.actor.prepareCall', output: prepared.exec },
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[2] },
      { type: 'xstate.done.actor.approval', output: { decision, abandoned: false } },
    ] as never);

  it('accept runs the command outside the sandbox when escalation was asked', () => {
    expect(throughApproval('accept').snapshot.matches({ running: 'escalated' })).toBe(true);
  });

  it('acceptForSession remembers the command for the thread', () => {
    const { snapshot } = throughApproval('acceptForSession');
    const done = replayPure(toolCallMachine, input, [
      { type: 'xstate.done.actor.prepareCall', output: prepared.exec },
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[2] },
      { type: 'xstate.done.actor.approval', output: { decision: 'acceptForSession', abandoned: false } },
      { type: 'exec.finished', outcome: outcome({}) },
    ] as never).snapshot;
    expect(snapshot.matches({ running: 'escalated' })).toBe(true);
    expect(done.output?.grants).toEqual(['cmd:ls']);
  });

  it('decline completes the item declined, tells the model, and lets the turn go on', () => {
    const { snapshot, emitted } = throughApproval('decline');
    expect(snapshot.output?.cancelTurn).toBe(false);
    expect(JSON.stringify(snapshot.output?.items)).toContain('rejected by the user');
    const completed = emitted.find((event) => event.method === 'item/completed');
    expect(completed?.method === 'item/completed' && completed.params.item.type === 'commandExecution' && completed.params.item.status).toBe('declined');
    // The thread stops waiting on the user only after the declined item is complete.
    expect(emitted.at(-1)).toMatchObject({ method: 'thread/status/changed', params: { status: { type: 'active', activeFlags: [] } } });
  });

  it('cancel completes the item declined and ends the turn', () => {
    const { snapshot } = throughApproval('cancel');
    expect(snapshot.output?.cancelTurn).toBe(true);
  });

  it('refusal under the policy is a visible declined item and a message to the model', () => {
    const { snapshot, emitted } = replayPure(toolCallMachine, input, [
      { type: 'xstate.done.actor.prepareCall', output: prepared.exec },
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[4] },
    ] as never);
    expect(emitted.map((event) => event.method)).toEqual(['item/started', 'item/completed']);
    expect(snapshot.output?.items[0]).toMatchObject({ output: 'not allowed under never' });
  });

  it('update_plan publishes the plan without an item and answers "Plan updated"', () => {
    const { snapshot, emitted } = replayPure(toolCallMachine, input, [{ type: 'xstate.done.actor.prepareCall', output: prepared.plan }] as never);
    expect(emitted.map((event) => event.method)).toEqual(['turn/plan/updated']);
    expect(snapshot.output?.items[0]).toMatchObject({ type: 'function_call_output', output: 'Plan updated' });
  });

  it('a custom tool call is answered with a custom_tool_call_output', () => {
    const custom = { ...input, call: { ...input.call, kind: 'custom' as const } };
    const { snapshot } = replayPure(toolCallMachine, custom, [{ type: 'xstate.done.actor.prepareCall', output: prepared.invalid }] as never);
    expect(snapshot.output?.items[0]).toMatchObject({ type: 'custom_tool_call_output', output: 'failed to parse arguments' });
  });
});
