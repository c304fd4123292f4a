import { describe, expect, it } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import { patchCallMachine } from '../../machines/index.js';
import { decided, patchInput, settleAfterInterrupt, verdicts, withApprovalChild, type AnyEvent } from './calls.fixture.js';
import { fromLiveChildren, replayPure, walkable } from './harness.js';
import { lifecycleViolations } from './invariants.js';

const patchVerdicts = [
  verdicts[0]!,
  {
    decision: 'ask',
    reason: 'writes outside the workspace',
    proposedAmendment: null,
    availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'],
    modeAfterApproval: 'sandboxed',
  },
  verdicts[4]!,
];
const events: AnyEvent[] = [
  ...patchVerdicts.map((output) => ({ type: 'xstate.done.actor.checkPolicy', output })),
  { type: 'xstate.error.actor.checkPolicy', error: new Error('rules broken') },
  decided('accept'),
  decided('acceptForSession'),
  decided('decline'),
  decided('cancel'),
  decided('cancel', true),
  { type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.' } },
  { type: 'xstate.done.actor.applyPatch', output: { status: 'failed', modelOutput: 'context not found' } },
  { type: 'xstate.error.actor.applyPatch', error: new Error('disk full') },
  { type: 'interrupt' },
];

const input = patchInput();
const paths = getSimplePaths(walkable(patchCallMachine), { input, events: fromLiveChildren(events) as never });
const eventsOf = (path: (typeof paths)[number]) => path.steps.slice(1).map((step) => step.event as AnyEvent);
const replay = (pathEvents: AnyEvent[]) => replayPure(patchCallMachine, input, withApprovalChild(patchCallMachine, input, pathEvents) as never);

describe('patch call machine, every simple path', () => {
  it('explores every state of the machine', () => {
    const reached = new Set(paths.map((path) => JSON.stringify(path.state.value)));
    for (const state of ['"policyCheck"', '"awaitingApproval"', '"applying"', '"done"']) expect(reached).toContain(state);
  });

  it('shows the changes in an item before anything is asked or written, and completes it once', () => {
    for (const path of paths) {
      const { snapshot, emitted } = replay(eventsOf(path));
      const label = eventsOf(path)
        .map((event) => event.type)
        .join(' > ');
      expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done', scope: 'call' }), label).toEqual([]);
      if (emitted.length > 0)
        expect(emitted[0], label).toMatchObject({ method: 'item/started', params: { item: { type: 'fileChange', changes: input.prepared.changes } } });
    }
  });

  it('an interrupt from any state ends the call with its item completed and its approval resolved', () => {
    for (const path of paths.filter((p) => p.state.status !== 'done')) {
      const pathEvents = withApprovalChild(patchCallMachine, input, eventsOf(path));
      const state = replayPure(patchCallMachine, input, pathEvents as never).snapshot;
      const all = [...pathEvents, { type: 'interrupt' }, ...settleAfterInterrupt({ matches: (value) => state.matches(value), context: state.context })];
      const { snapshot, emitted } = replayPure(patchCallMachine, input, all as never);
      const label = all.map((event) => event.type).join(' > ');
      expect(snapshot.status, label).toBe('done');
      expect(lifecycleViolations(emitted, { finished: true, scope: 'call' }), label).toEqual([]);
    }
  });
});

describe('patch call machine, what each outcome tells the model and the turn', () => {
  it('a declined patch tells the model "patch rejected by user" and writes nothing', () => {
    const { snapshot, reports } = replay([{ type: 'xstate.done.actor.checkPolicy', output: patchVerdicts[1] }, decided('decline')]);
    expect(snapshot.output?.modelOutput).toBe('patch rejected by user');
    expect(reports.map((report) => report.type)).not.toContain('xstate.done.actor.applyPatch');
    expect(snapshot.context.item?.status).toBe('declined');
  });

  it('accept for the session remembers the root', () => {
    const { snapshot } = replay([
      { type: 'xstate.done.actor.checkPolicy', output: patchVerdicts[1] },
      decided('acceptForSession'),
      { type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.' } },
    ]);
    expect(snapshot.output?.grants).toEqual(['patch:/ws']);
  });

  it('a written patch reports its diff after its item completes; a failed one fails its item', () => {
    const written = replayPure(patchCallMachine, input, [
      { type: 'xstate.done.actor.checkPolicy', output: patchVerdicts[0] },
      { type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.' } },
    ] as never);
    // Run alone, nobody measures the turn's diff: the item completes with no diff after it.
    expect(written.snapshot.status).toBe('done');
    expect(written.emitted.map((event) => event.method)).toEqual(['item/started', 'item/completed']);
    expect(written.snapshot.context.item?.status).toBe('completed');
    const failed = replayPure(patchCallMachine, input, [
      { type: 'xstate.done.actor.checkPolicy', output: patchVerdicts[0] },
      { type: 'xstate.done.actor.applyPatch', output: { status: 'failed', modelOutput: 'context not found' } },
    ] as never);
    expect(failed.snapshot.context.item?.status).toBe('failed');
    expect(failed.snapshot.output?.modelOutput).toBe('context not found');
  });

  it('the item starts before the wait on the user is announced', () => {
    const { reports } = replayPure(patchCallMachine, input, [{ type: 'xstate.done.actor.checkPolicy', output: patchVerdicts[1] }] as never);
    expect(reports.map((report) => report.type).slice(0, 3)).toEqual(['call.itemStarted', 'protocol', 'call.awaitingApproval']);
  });
});
