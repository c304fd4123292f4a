import { describe, expect, it } from 'vitest';
import type { ActorLogic, ActorScope, AnyEventObject, MachineSnapshot, Snapshot } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { turnMachine, type ToolCallOutcome } from '../../machines/index.js';
import type { ProtocolEvent } from '../../protocol/index.js';
import { replayPure } from './harness.js';
import { turnInputFixture } from './fixtures.js';
import { lastTurnStatus, lifecycleViolations } from './invariants.js';

type TurnSnapshot = MachineSnapshot<any, any, any, any, any, any, any, any>;
type Phase = 'new' | 'open' | 'asking' | 'answered' | 'closed';

/**
 * The turn's children (tool calls) are black boxes to pure transitions. This logic walks
 * the turn together with a model of each child that honours the child's own contract
 * (proved by its own tests): start its item, maybe ask and get answered, complete the
 * item, then finish. Test events ("child.*") expand into the events the turn receives.
 */
/** A snapshot of the walk: the turn's own, plus the phase of each modelled child (the walk is always active). */
type WalkState = Snapshot<undefined> & {
  turn: TurnSnapshot;
  phases: Record<string, Phase>;
};

const walkSnapshot = (turn: TurnSnapshot, phases: Record<string, Phase>): WalkState => ({ status: 'active', output: undefined, error: undefined, turn, phases });

type WalkEvent = AnyEventObject;

const input = turnInputFixture();
const usage = { totalTokens: 15, inputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 };

const relay = (event: ProtocolEvent) => ({ type: 'relay', event });
const approvalId = (callId: string) => `tu/${callId}/approval`;
const commandItem = (callId: string, status: 'inProgress' | 'completed') => ({
  type: 'commandExecution' as const, id: callId, pluginId: null, scriptPath: null, command: 'ls', cwd: '/ws', processId: null,
  source: 'unifiedExecStartup' as const, status, commandActions: [], aggregatedOutput: null, exitCode: null, durationMs: null,
  startedAtMs: 1, completedAtMs: status === 'completed' ? 2 : null,
});

/** A call's signal that it starts (or stops) waiting on the user. */
const awaiting = (waiting: boolean): ProtocolEvent => ({
  method: 'thread/status/changed',
  params: { threadId: 'th', status: { type: 'active', activeFlags: waiting ? ['waitingOnApproval'] : [] } },
});

/** The turn events a walk event stands for. */
function expand(event: WalkEvent): AnyEventObject[] {
  const callId = event.callId as string;
  switch (event.type) {
    case 'child.start':
      return [relay({ method: 'item/started', params: { item: commandItem(callId, 'inProgress'), threadId: 'th', turnId: 'tu', startedAtMs: 1 } })];
    case 'child.ask':
      return [relay(awaiting(true)), relay({
        method: 'item/commandExecution/requestApproval', approvalId: approvalId(callId),
        params: { kind: 'command', threadId: 'th', turnId: 'tu', itemId: callId, startedAtMs: 1, environmentId: 'local', reason: null, command: 'ls', cwd: '/ws', commandActions: [], proposedExecpolicyAmendment: null, availableDecisions: ['accept', 'decline'], risk: null },
      })];
    case 'child.answer':
      return [
        { type: 'approval.decide', approvalId: approvalId(callId), decision: 'accept' },
        relay({ method: 'serverRequest/resolved', approvalId: approvalId(callId), params: { threadId: 'th' } }),
        relay(awaiting(false)),
      ];
    case 'child.output':
      return [relay({ method: 'item/commandExecution/outputDelta', params: { threadId: 'th', turnId: 'tu', itemId: callId, delta: 'x' } })];
    case 'child.complete':
      return [relay({ method: 'item/completed', params: { item: commandItem(callId, 'completed'), threadId: 'th', turnId: 'tu', contentTokenCount: null, completedAtMs: 2 } })];
    case 'child.finish': {
      const output: ToolCallOutcome = {
        callId,
        items: [{ type: 'function_call_output', call_id: callId, output: 'done' }],
        cancelTurn: event.cancel === true,
        grants: [],
      };
      return [{ type: `xstate.done.actor.${callId}`, output, actorId: callId }];
    }
    default:
      return [event];
  }
}

const nextPhase: Record<string, Phase> = {
  'child.start': 'open', 'child.ask': 'asking', 'child.answer': 'answered', 'child.complete': 'closed', 'child.finish': 'closed',
};

const walkLogic: ActorLogic<WalkState, WalkEvent, typeof input> = {
  config: turnMachine,
  transition: (state, event, scope) => {
    let turn = state.turn;
    for (const inner of expand(event)) turn = turnMachine.transition(turn, inner as never, scope as never) as TurnSnapshot;
    const phase = nextPhase[event.type];
    const phases = phase ? { ...state.phases, [event.callId as string]: phase } : state.phases;
    return walkSnapshot(turn, phases);
  },
  getInitialSnapshot: (scope, walkInput) => walkSnapshot(turnMachine.getInitialSnapshot(scope as ActorScope<any, any, any, any>, walkInput) as TurnSnapshot, {}),
  getPersistedSnapshot: (state) => state,
};

const call = (callId: string) => ({ type: 'model.outputItemDone', data: { type: 'outputItemDone', item: { type: 'function_call', id: `fc_${callId}`, call_id: callId, name: 'exec_command', arguments: '{"cmd":"ls"}' } } });
const message = (type: string, extra: object) => ({ type: `model.${type}`, data: { type, ...extra } });

interface Alphabet {
  /** Reasoning items besides the agent message. */
  reasoning: boolean;
  /** How many tool calls the first response may make. */
  maxCalls: number;
}

const has = (items: Array<{ id?: unknown }>, id: string) => items.some((item) => item.id === id);

/** What can happen next, given where the turn and its children are. */
const eventsAt = (alphabet: Alphabet) => (state: WalkState): WalkEvent[] => {
  const { turn, phases } = state;
  const ctx = turn.context;
  const events: WalkEvent[] = [{ type: 'interrupt' }];
  if (turn.matches('preparing')) {
    events.push({ type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } });
    events.push({ type: 'xstate.error.actor.prepareTurn', error: new Error('unreadable image') });
  }
  if (turn.matches('sampling')) {
    const streamingIds = Object.keys(ctx.streaming);
    // providers give every output item of every response its own id
    const request = ctx.added.length <= 1 ? 1 : 2;
    const modelItems: Array<[string, string]> = [['message', `msg_${request}`]];
    if (alphabet.reasoning) modelItems.push(['reasoning', `rs_${request}`]);
    for (const [itemType, itemId] of modelItems) {
      const open = streamingIds.includes(itemId);
      if (!open && !has(ctx.round, itemId)) events.push(message('outputItemAdded', { itemType, itemId }));
      if (open && itemType === 'message') {
        events.push(
          message('outputTextDelta', { itemId, delta: 'Hi' }),
          message('outputItemDone', { item: { type: 'message', id: itemId, role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] } }),
        );
      }
      if (open && itemType === 'reasoning') {
        events.push(
          message('reasoningSummaryPartAdded', { itemId, summaryIndex: 0 }),
          message('reasoningSummaryTextDelta', { itemId, summaryIndex: 0, delta: 'think' }),
          message('outputItemDone', { item: { type: 'reasoning', id: itemId, summary: [{ type: 'summary_text', text: 'think' }] } }),
        );
      }
    }
    events.push(
      message('completed', { responseId: 'r', usage }),
      message('retrying', { attempt: 1, maxAttempts: 2, delayMs: 10, message: 'Reconnecting... 1/2' }),
      message('failed', { error: { message: 'HTTP 400: bad request', codexErrorInfo: null, additionalDetails: null } }),
    );
    if (request === 1 && ctx.pendingCalls.length < alphabet.maxCalls) events.push(call(ctx.pendingCalls.length === 0 ? 'call_a' : 'call_b'));
  }
  if (turn.matches('interrupting') && !ctx.processesStopped) events.push({ type: 'xstate.done.actor.stopProcesses' });
  for (const callId of ctx.runningCalls as string[]) {
    const phase = phases[callId] ?? 'new';
    if (phase === 'new') events.push({ type: 'child.start', callId }, { type: 'child.finish', callId });
    if (phase === 'open') events.push({ type: 'child.ask', callId }, { type: 'child.output', callId }, { type: 'child.complete', callId });
    if (phase === 'asking') events.push({ type: 'child.answer', callId });
    if (phase === 'answered') events.push({ type: 'child.complete', callId });
    if (phase === 'closed') events.push({ type: 'child.finish', callId }, { type: 'child.finish', callId, cancel: true });
  }
  return events;
};

const serialize = (state: WalkState) => {
  const ctx = state.turn.context;
  return JSON.stringify({
    value: state.turn.value,
    status: state.turn.status,
    phases: state.phases,
    added: ctx.added.length,
    round: ctx.round.length,
    pending: ctx.pendingCalls.map((c: { callId: string }) => c.callId),
    streaming: Object.keys(ctx.streaming),
    running: ctx.runningCalls,
    approvals: Object.keys(ctx.pendingApprovals),
    outcomes: ctx.outcomes.length,
    stopped: ctx.processesStopped,
    turnStatus: ctx.status,
  });
};

const walkOptions = (alphabet: Alphabet) => ({
  input,
  events: eventsAt(alphabet),
  serializeState: serialize as never,
  serializeEvent: (event: WalkEvent) => JSON.stringify(event),
  limit: 500_000,
});
/** Every reachable state with the full alphabet (two parallel calls, reasoning), by a shortest path. */
const statePaths = getShortestPaths(walkLogic, walkOptions({ reasoning: true, maxCalls: 2 }));
/** Every simple path with a smaller alphabet (one call, no reasoning). */
const simplePaths = getSimplePaths(walkLogic, walkOptions({ reasoning: false, maxCalls: 1 }));
const paths = [...statePaths, ...simplePaths];

/** Replays walk events through the turn with pure transitions, collecting what it emits. */
function replay(walkEvents: WalkEvent[]) {
  return replayPure(turnMachine, input, walkEvents.flatMap(expand) as never);
}

/** The children's and the environment's response to an interrupt, from any state. */
function settle(state: WalkState): WalkEvent[] {
  const events: WalkEvent[] = [];
  for (const callId of state.turn.context.runningCalls as string[]) {
    const phase = state.phases[callId] ?? 'new';
    if (phase === 'asking') events.push({ type: 'child.answer', callId });
    if (phase === 'open' || phase === 'asking' || phase === 'answered') events.push({ type: 'child.complete', callId });
    events.push({ type: 'child.finish', callId });
  }
  if (!state.turn.context.processesStopped) events.push({ type: 'xstate.done.actor.stopProcesses' });
  return events;
}

describe('turn machine, every simple path with modelled tool calls', () => {
  it('walks a large number of distinct paths through every state', () => {
    expect(statePaths.length).toBeGreaterThan(500);
    console.log(`turn graph: ${statePaths.length} states, ${simplePaths.length} simple paths`);
    expect(simplePaths.length).toBeGreaterThan(500);
    const values = new Set(paths.map((path) => JSON.stringify(path.state.turn.value)));
    for (const value of ['"preparing"', '"sampling"', '"dispatching"', '"interrupting"', '"done"']) expect(values).toContain(value);
  });

  it('holds the lifecycle invariants on every path (items, approvals, turn start and end, status flags)', () => {
    for (const path of paths) {
      const walkEvents = path.steps.slice(1).map((step) => step.event);
      const { snapshot, emitted } = replay(walkEvents);
      const label = walkEvents.map((event) => event.type + (event.callId ? `(${event.callId})` : '')).join(' > ');
      const violations = lifecycleViolations(emitted, { finished: snapshot.status === 'done' });
      expect(violations, label).toEqual([]);
      expect(emitted[0]?.method, label).toBe('thread/status/changed');
      expect(emitted[1]?.method, label).toBe('turn/started');
      if (snapshot.status === 'done') {
        expect(emitted.at(-1)?.method, label).toBe('turn/completed');
        expect(emitted.at(-2), label).toMatchObject({ method: 'thread/status/changed', params: { status: { type: 'idle' } } });
      }
    }
  });

  it('an interrupt from any state ends in turn/completed interrupted, everything open closed and resolved', () => {
    let checked = 0;
    for (const path of paths.filter((p) => p.state.turn.status !== 'done')) {
      const walkEvents = path.steps.slice(1).map((step) => step.event);
      const all = [...walkEvents, { type: 'interrupt' }, ...settle(path.state)];
      const { snapshot, emitted } = replay(all);
      const label = all.map((event) => event.type + (event.callId ? `(${event.callId})` : '')).join(' > ');
      expect(snapshot.status, label).toBe('done');
      expect(lifecycleViolations(emitted, { finished: true }), label).toEqual([]);
      const expected = path.state.turn.context.status === 'failed' ? 'failed' : 'interrupted';
      expect(lastTurnStatus(emitted), label).toBe(expected);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('a retried stream closes the items it opened and reports willRetry', () => {
    const { emitted } = replay([
      { type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } },
      message('outputItemAdded', { itemType: 'message', itemId: 'msg_1' }),
      message('outputTextDelta', { itemId: 'msg_1', delta: 'Hel' }),
      message('retrying', { attempt: 1, maxAttempts: 5, delayMs: 10, message: 'Reconnecting... 1/5' }),
    ]);
    expect(emitted.slice(4).map((event) => event.method)).toEqual(['item/started', 'item/agentMessage/delta', 'item/completed', 'error']);
    expect(emitted.at(-1)).toMatchObject({ params: { willRetry: true, error: { message: 'Reconnecting... 1/5' } } });
  });

  it('tool outputs go back to the model in the order of the calls, after the calls', () => {
    const { snapshot } = replay([
      { type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } },
      call('call_a'),
      call('call_b'),
      message('completed', { responseId: 'r', usage }),
      { type: 'child.finish', callId: 'call_b' },
      { type: 'child.finish', callId: 'call_a' },
    ]);
    const added = snapshot.context.added.map((item: { type: string; call_id?: string }) => `${item.type}:${item.call_id ?? ''}`);
    expect(added).toEqual(['message:', 'function_call:call_a', 'function_call:call_b', 'function_call_output:call_a', 'function_call_output:call_b']);
    expect(snapshot.matches('sampling')).toBe(true);
  });

  it('token usage accumulates over the requests of a turn', () => {
    const { emitted } = replay([
      { type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } },
      call('call_a'),
      message('completed', { responseId: 'r1', usage }),
      { type: 'child.finish', callId: 'call_a' },
      message('completed', { responseId: 'r2', usage }),
    ]);
    const updates = emitted.filter((event) => event.method === 'thread/tokenUsage/updated');
    expect(updates.map((event) => event.method === 'thread/tokenUsage/updated' && event.params.tokenUsage.total.totalTokens)).toEqual([15, 30]);
    expect(lastTurnStatus(emitted)).toBe('completed');
  });
});
