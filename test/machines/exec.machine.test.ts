import { describe, expect, it } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import { execCallMachine, type ExecCallInput } from '../../machines/index.js';
import { decided, execCall, execInput, outcome, settleAfterInterrupt, stdinCall, verdicts, withApprovalChild, type AnyEvent } from './calls.fixture.js';
import { settingsFixture } from './fixtures.js';
import { fromLiveChildren, replayPure, walkable } from './harness.js';
import { lifecycleViolations } from './invariants.js';

const events: AnyEvent[] = [
  ...verdicts.map((output) => ({ type: 'xstate.done.actor.checkPolicy', output })),
  { type: 'xstate.error.actor.checkPolicy', error: new Error('rules broken') },
  decided('accept'),
  decided('acceptForSession'),
  decided({ acceptWithExecpolicyAmendment: { execpolicy_amendment: ['ls'] } }),
  decided('decline'),
  decided('cancel'),
  decided('cancel', true),
  { type: 'xstate.done.actor.amendPolicy', output: undefined },
  { type: 'xstate.error.actor.amendPolicy', error: new Error('disk full') },
  { type: 'exec.started', processId: '42' },
  { type: 'exec.output', chunk: 'out\n' },
  { type: 'exec.finished', outcome: outcome() },
  { type: 'exec.finished', outcome: outcome({ exitCode: 1, modelOutput: 'Exit code: 1' }) },
  { type: 'exec.finished', outcome: outcome({ exitCode: null, stillRunning: true }) },
  { type: 'exec.finished', outcome: outcome({ exitCode: null, interrupted: true }) },
  { type: 'xstate.after.killGrace.execCall.running.stopping' },
  { type: 'interrupt' },
];

const walk = (input: ExecCallInput) => getSimplePaths(walkable(execCallMachine), { input, events: fromLiveChildren(events) as never });
const paths = [...walk(execInput()), ...walk(execInput(stdinCall))];

const replay = (input: ExecCallInput, pathEvents: AnyEvent[]) =>
  replayPure(execCallMachine, input, withApprovalChild(execCallMachine, input, pathEvents) as never);
const inputOf = (path: (typeof paths)[number]) => path.state.context as ExecCallInput;
const eventsOf = (path: (typeof paths)[number]) => path.steps.slice(1).map((step) => step.event as AnyEvent);

describe('command call machine, every simple path', () => {
  it('explores every state of the machine', () => {
    const reached = new Set(paths.map((path) => JSON.stringify(path.state.value)));
    for (const state of [
      '"policyCheck"',
      '"awaitingApproval"',
      '"amending"',
      '{"running":"sandboxed"}',
      '{"running":"escalated"}',
      '{"running":"session"}',
      '{"running":"stopping"}',
      '"done"',
    ]) {
      expect(reached).toContain(state);
    }
  });

  it('an item is started once, completed once, with approvals and output strictly inside it', () => {
    for (const path of paths) {
      const input = execInput(inputOf(path).prepared);
      const { snapshot, emitted } = replay(input, eventsOf(path));
      const label = eventsOf(path)
        .map((event) => event.type)
        .join(' > ');
      expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done', scope: 'call' }), label).toEqual([]);
    }
  });

  it('tells its parent about the item and every wait on the user, in the order of what it publishes', () => {
    for (const path of paths) {
      const input = execInput(inputOf(path).prepared);
      const { reports, snapshot } = replay(input, eventsOf(path));
      const label = eventsOf(path)
        .map((event) => event.type)
        .join(' > ');
      const facts = reports.filter((report) => report.type.startsWith('call.')).map((report) => report.type);
      const awaited = facts.filter((fact) => fact === 'call.awaitingApproval').length;
      const settled = facts.filter((fact) => fact === 'call.approvalSettled').length;
      expect(awaited - settled, label).toBe(snapshot.matches('awaitingApproval') ? 1 : 0);
      if (snapshot.status === 'done' && facts.includes('call.itemStarted')) expect(facts, label).toContain('call.itemCompleted');
      // A fact about the item comes right before the event that shows it.
      reports.forEach((report, index) => {
        if (report.type === 'call.itemStarted') expect((reports[index + 1] as any)?.event?.method, label).toBe('item/started');
        if (report.type === 'call.itemCompleted') expect((reports[index + 1] as any)?.event?.method, label).toBe('item/completed');
      });
    }
  });

  it('an interrupt from any state ends the call with its item completed and its approval resolved', () => {
    for (const path of paths.filter((p) => p.state.status !== 'done')) {
      const input = execInput(inputOf(path).prepared);
      const pathEvents = withApprovalChild(execCallMachine, input, eventsOf(path));
      const state = replayPure(execCallMachine, input, pathEvents as never).snapshot;
      const interrupted = [...pathEvents, { type: 'interrupt' }, ...settleAfterInterrupt({ matches: (value) => state.matches(value), context: state.context })];
      const { snapshot, emitted } = replayPure(execCallMachine, input, interrupted as never);
      const label = interrupted.map((event) => event.type).join(' > ');
      expect(snapshot.status, label).toBe('done');
      expect(lifecycleViolations(emitted, { finished: true, scope: 'call' }), label).toEqual([]);
      const completion = emitted.find((event) => event.method === 'item/completed');
      if (completion?.method === 'item/completed' && completion.params.item.type === 'commandExecution')
        expect(['failed', 'declined'], label).toContain(completion.params.item.status);
    }
  });

  it('a process that will not die is given up on after the grace period, its item failed', () => {
    const { snapshot, emitted } = replayPure(execCallMachine, execInput(), [
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[0] },
      { type: 'interrupt' },
      { type: 'xstate.after.killGrace.execCall.running.stopping' },
    ] as never);
    expect(snapshot.status).toBe('done');
    const last = emitted.at(-1);
    expect(last?.method === 'item/completed' && last.params.item.type === 'commandExecution' && last.params.item.status).toBe('failed');
  });
});

describe('command call machine, every path after the sandbox refuses a command (on-failure)', () => {
  const onFailure = execInput(execCall, { settings: settingsFixture({ approvalPolicy: 'on-failure' }) });
  const prefix: AnyEvent[] = [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[0] }];
  const denied = { type: 'exec.finished', outcome: outcome({ exitCode: 1, sandboxDenial: "touch: cannot touch '/etc/x': Read-only file system" }) };
  const afterDenial: AnyEvent[] = [
    denied,
    decided('accept'),
    decided('decline'),
    decided('cancel', true),
    { type: 'exec.finished', outcome: outcome() },
    { type: 'exec.finished', outcome: outcome({ exitCode: null, interrupted: true }) },
    { type: 'xstate.after.killGrace.execCall.running.stopping' },
    { type: 'interrupt' },
  ];
  const fromState = replayPure(execCallMachine, onFailure, prefix as never).snapshot;
  const refusedPaths = getSimplePaths(walkable(execCallMachine), { input: onFailure, fromState, events: fromLiveChildren(afterDenial) as never });

  it('offers a run outside the sandbox and keeps one item on every path', () => {
    expect(refusedPaths.some((path) => path.state.matches('awaitingApproval'))).toBe(true);
    expect(refusedPaths.some((path) => path.state.matches({ running: 'escalated' }))).toBe(true);
    for (const path of refusedPaths) {
      const events = withApprovalChild(execCallMachine, onFailure, [...prefix, ...eventsOf(path)]);
      const { snapshot, emitted } = replayPure(execCallMachine, onFailure, events as never);
      const label = events.map((event) => event.type).join(' > ');
      expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done', scope: 'call' }), label).toEqual([]);
      expect(
        emitted.filter((event) => event.method === 'item/started'),
        label,
      ).toHaveLength(1);
    }
  });

  it('a refused retry completes the item failed with the sandboxed output and tells the model why', () => {
    const { snapshot, emitted } = replay(onFailure, [...prefix, denied, decided('decline')]);
    const completed = emitted.find((event) => event.method === 'item/completed');
    expect(completed?.method === 'item/completed' && completed.params.item.type === 'commandExecution' && completed.params.item.status).toBe('failed');
    expect(snapshot.output?.modelOutput).toContain('chose not to run it without the sandbox');
  });

  it('does not offer a retry under on-request unless escalation was asked for', () => {
    const { snapshot } = replayPure(execCallMachine, execInput(), [...prefix, denied] as never);
    expect(snapshot.status).toBe('done');
  });
});

describe('command call machine, what each decision tells the model and the turn', () => {
  const throughApproval = (decision: unknown) => replay(execInput(), [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[2] }, decided(decision)]);

  it('accept runs the command outside the sandbox when escalation was asked', () => {
    expect(throughApproval('accept').snapshot.matches({ running: 'escalated' })).toBe(true);
  });

  it('acceptForSession remembers the command for the thread', () => {
    const { snapshot } = replay(execInput(), [
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[2] },
      decided('acceptForSession'),
      { type: 'exec.finished', outcome: outcome() },
    ]);
    expect(snapshot.output?.grants).toEqual(['cmd:ls']);
  });

  it('an accepted amendment is stored before the command runs, in the sandbox it was offered for', () => {
    const amended = replay(execInput(), [
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[3] },
      decided({ acceptWithExecpolicyAmendment: { execpolicy_amendment: ['ls'] } }),
    ]);
    expect(amended.snapshot.value).toBe('amending');
    expect(amended.snapshot.context.amendment).toEqual(['ls']);
    const ran = replayPure(execCallMachine, execInput(), [
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[3] },
      decided({ acceptWithExecpolicyAmendment: { execpolicy_amendment: ['ls'] } }),
      { type: 'xstate.done.actor.amendPolicy', output: undefined },
    ] as never);
    expect(ran.snapshot.matches({ running: 'sandboxed' })).toBe(true);
  });

  it('decline completes the item declined, tells the model, and only then stops waiting on the user', () => {
    const { snapshot, reports } = throughApproval('decline');
    expect(snapshot.output?.cancelTurn).toBe(false);
    expect(snapshot.output?.modelOutput).toContain('rejected by the user');
    const order = reports.map((report) => (report.type === 'protocol' ? (report.event as { method: string }).method : report.type));
    expect(order.indexOf('call.approvalSettled')).toBeGreaterThan(order.indexOf('item/completed'));
  });

  it('cancel completes the item declined and ends the turn', () => {
    expect(throughApproval('cancel').snapshot.output?.cancelTurn).toBe(true);
  });

  it('refusal under the policy is a visible declined item and a message to the model', () => {
    const { snapshot, emitted } = replayPure(execCallMachine, execInput(), [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[4] }] as never);
    expect(emitted.map((event) => event.method)).toEqual(['item/started', 'item/completed']);
    expect(snapshot.output?.modelOutput).toBe('not allowed under never');
  });

  it('the wait on the user is announced before the item starts', () => {
    const { reports } = replayPure(execCallMachine, execInput(), [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[2] }] as never);
    expect(reports.map((report) => report.type).slice(0, 3)).toEqual(['call.awaitingApproval', 'call.itemStarted', 'protocol']);
  });
});
