import { describe, expect, it } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import { MCP_REJECTED, mcpCallMachine, type McpCallInput } from '../../machines/index.js';
import { decided, mcpCall, mcpInput, mcpOutcome, settleAfterInterrupt, withApprovalChild, type AnyEvent } from './calls.fixture.js';
import { settingsFixture } from './fixtures.js';
import { fromLiveChildren, replayPure, walkable } from './harness.js';
import { lifecycleViolations } from './invariants.js';

const events: AnyEvent[] = [
  decided('accept'),
  decided('acceptForSession'),
  decided('decline'),
  decided('cancel'),
  decided('cancel', true),
  { type: 'xstate.done.actor.callMcpTool', output: mcpOutcome },
  { type: 'xstate.done.actor.callMcpTool', output: { result: null, error: 'tool call timed out after 60 s', items: [] } },
  { type: 'xstate.error.actor.callMcpTool', error: new Error('bug') },
  { type: 'interrupt' },
];

/** The inputs whose paths are walked: a tool that asks, a read-only one, one granted for the session, and each policy. */
const inputs: Record<string, McpCallInput> = {
  asked: mcpInput(),
  readOnly: mcpInput({ prepared: { ...mcpCall, readOnly: true } }),
  granted: mcpInput({ sessionGrants: [mcpCall.grantKey] }),
  untrusted: mcpInput({ settings: settingsFixture({ approvalPolicy: 'untrusted' }) }),
  never: mcpInput({ settings: settingsFixture({ approvalPolicy: 'never' }) }),
  onFailure: mcpInput({ settings: settingsFixture({ approvalPolicy: 'on-failure' }) }),
};

const pathsOf = (input: McpCallInput) => getSimplePaths(walkable(mcpCallMachine), { input, events: fromLiveChildren(events) as never });
const eventsOf = (path: { steps: Array<{ event: unknown }> }) => path.steps.slice(1).map((step) => step.event as AnyEvent);
const replay = (input: McpCallInput, pathEvents: AnyEvent[]) =>
  replayPure(mcpCallMachine, input, withApprovalChild(mcpCallMachine, input, pathEvents) as never);

describe('MCP call machine, every simple path', () => {
  it('asks only for a tool that is not read-only nor granted, under untrusted and on-request', () => {
    const asks = Object.fromEntries(
      Object.entries(inputs).map(([name, input]) => [name, pathsOf(input).some((path) => JSON.stringify(path.state.value) === '"awaitingApproval"')]),
    );
    expect(asks).toEqual({ asked: true, readOnly: false, granted: false, untrusted: true, never: false, onFailure: false });
  });

  it('shows server, tool and arguments in an item before anything is asked or called, and completes it once', () => {
    for (const [name, input] of Object.entries(inputs)) {
      const paths = pathsOf(input);
      const reached = new Set(paths.map((path) => JSON.stringify(path.state.value)));
      expect(reached, name).toContain('"calling"');
      expect(reached, name).toContain('"done"');
      for (const path of paths) {
        const { snapshot, emitted } = replay(input, eventsOf(path));
        const label = `${name}: ${eventsOf(path)
          .map((event) => event.type)
          .join(' > ')}`;
        expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done', scope: 'call' }), label).toEqual([]);
        expect(emitted[0], label).toMatchObject({
          method: 'item/started',
          params: { item: { type: 'mcpToolCall', server: 'fx', tool: 'write_note', arguments: { note: 'hi' }, status: 'inProgress' } },
        });
      }
    }
  });

  it('an interrupt from any state ends the call with its item completed and its approval resolved', () => {
    const input = inputs.asked!;
    for (const path of pathsOf(input).filter((p) => p.state.status !== 'done')) {
      const pathEvents = withApprovalChild(mcpCallMachine, input, eventsOf(path));
      const state = replayPure(mcpCallMachine, input, pathEvents as never).snapshot;
      const all = [...pathEvents, { type: 'interrupt' }, ...settleAfterInterrupt({ matches: (value) => state.matches(value), context: state.context })];
      const { snapshot, emitted } = replayPure(mcpCallMachine, input, all as never);
      const label = all.map((event) => event.type).join(' > ');
      expect(snapshot.status, label).toBe('done');
      expect(lifecycleViolations(emitted, { finished: true, scope: 'call' }), label).toEqual([]);
      expect(snapshot.output?.modelOutput, label).toMatch(/aborted/);
    }
  });
});

describe('MCP call machine, what each outcome tells the model and the turn', () => {
  it("a call that worked completes its item with the server's result and duration, and the model reads its items", () => {
    const { snapshot, emitted } = replay(inputs.readOnly!, [{ type: 'xstate.done.actor.callMcpTool', output: mcpOutcome }]);
    expect(emitted.map((event) => event.method)).toEqual(['item/started', 'item/completed']);
    expect(snapshot.context.item).toMatchObject({ status: 'completed', result: mcpOutcome.result, error: null, durationMs: 0 });
    expect(snapshot.output?.items).toEqual(mcpOutcome.items);
  });

  it('a timeout or a dead server fails the item with the reason, which the model reads too', () => {
    const { snapshot } = replay(inputs.readOnly!, [
      { type: 'xstate.done.actor.callMcpTool', output: { result: null, error: 'tool call timed out after 60 s', items: [] } },
    ]);
    expect(snapshot.context.item).toMatchObject({ status: 'failed', result: null, error: { message: 'tool call timed out after 60 s' } });
    expect(snapshot.output?.modelOutput).toBe('tool call timed out after 60 s');
    expect(snapshot.output?.items).toBeUndefined();
  });

  it('a declined call is not made; the model is told the user declined it', () => {
    const { snapshot, reports } = replay(inputs.asked!, [decided('decline')]);
    expect(reports.map((report) => report.type)).not.toContain('xstate.done.actor.callMcpTool');
    expect(snapshot.context.item).toMatchObject({ status: 'failed', error: { message: MCP_REJECTED } });
    expect(snapshot.output?.modelOutput).toBe(MCP_REJECTED);
  });

  it('accept for the session remembers the server and tool; cancel ends the turn', () => {
    const granted = replay(inputs.asked!, [decided('acceptForSession'), { type: 'xstate.done.actor.callMcpTool', output: mcpOutcome }]);
    expect(granted.snapshot.output?.grants).toEqual([mcpCall.grantKey]);
    const cancelled = replay(inputs.asked!, [decided('cancel')]);
    expect(cancelled.snapshot.output?.cancelTurn).toBe(true);
  });

  it('the item starts before the wait on the user is announced, and the request is a command-style approval naming the tool', () => {
    const { reports, emitted } = replay(inputs.asked!, []);
    expect(reports.map((report) => report.type).slice(0, 3)).toEqual(['call.itemStarted', 'protocol', 'call.awaitingApproval']);
    expect(emitted[1]).toMatchObject({
      method: 'item/commandExecution/requestApproval',
      params: { itemId: 'call_1', command: 'fx.write_note({"note":"hi"})', availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'] },
    });
  });
});
