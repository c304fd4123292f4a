import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type ActorLogic, type AnyStateMachine, type MachineSnapshot, type Snapshot } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { execCallMachine, mcpCallMachine, patchCallMachine, turnMachine, type ToolCallOutcome } from '../../machines/index.js';
import type { ProtocolEvent, ThreadStatus } from '../../protocol/index.js';
import {
  decided,
  execCall,
  execInput,
  outcome,
  parentMessages,
  patchInput,
  mcpInput,
  mcpOutcome,
  settleAfterInterrupt,
  verdicts,
  withApprovalChild,
  type AnyEvent,
} from './calls.fixture.js';
import { replayPure } from './harness.js';
import { settingsFixture, turnInputFixture } from './fixtures.js';
import { lastTurnStatus, lifecycleViolations } from './invariants.js';

type TurnSnapshot = MachineSnapshot<any, any, any, any, any, any, any, any>;

/**
 * The turn's children (tool calls) are black boxes to pure transitions. In this walk each
 * child IS the real command, patch or MCP call machine, stepped purely through a script of what its
 * actors report: what it tells and publishes is handed to the turn exactly as the tool call
 * would hand it on, so the turn is never tested against a model of its children that could
 * drift from them.
 */
interface ChildScript {
  machine: AnyStateMachine;
  input: (callId: string) => unknown;
  /** What the call's actors report, in order. */
  script: AnyEvent[];
}

const CHILDREN: Record<string, ChildScript> = {
  auto: {
    machine: execCallMachine,
    input: (callId) => execInput(execCall, { call: { callId, name: 'exec_command', kind: 'function', payload: '' }, turnId: 'tu' }),
    script: [
      { type: 'xstate.done.actor.checkPolicy', output: verdicts[0] },
      { type: 'exec.started', processId: '42' },
      { type: 'exec.output', chunk: 'x' },
      { type: 'exec.finished', outcome: outcome() },
    ],
  },
  asked: {
    machine: execCallMachine,
    input: (callId) => execInput(execCall, { call: { callId, name: 'exec_command', kind: 'function', payload: '' }, turnId: 'tu' }),
    script: [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[2] }, decided('accept'), { type: 'exec.finished', outcome: outcome() }],
  },
  declined: {
    machine: execCallMachine,
    input: (callId) => execInput(execCall, { call: { callId, name: 'exec_command', kind: 'function', payload: '' }, turnId: 'tu' }),
    script: [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[2] }, decided('decline')],
  },
  cancelled: {
    machine: execCallMachine,
    input: (callId) => execInput(execCall, { call: { callId, name: 'exec_command', kind: 'function', payload: '' }, turnId: 'tu' }),
    script: [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[2] }, decided('cancel')],
  },
  refused: {
    machine: execCallMachine,
    input: (callId) => execInput(execCall, { call: { callId, name: 'exec_command', kind: 'function', payload: '' }, turnId: 'tu' }),
    script: [{ type: 'xstate.done.actor.checkPolicy', output: verdicts[4] }],
  },
  patch: {
    machine: patchCallMachine,
    input: (callId) => patchInput({ call: { callId, name: 'apply_patch', kind: 'custom', payload: '' }, turnId: 'tu' }),
    script: [
      { type: 'xstate.done.actor.checkPolicy', output: { ...verdicts[2], modeAfterApproval: 'sandboxed' } },
      decided('accept'),
      { type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.' } },
    ],
  },
  mcp: {
    machine: mcpCallMachine,
    input: (callId) => mcpInput({ call: { callId, name: 'mcp__fx__write_note', kind: 'function', payload: '{"note":"hi"}' }, turnId: 'tu' }),
    script: [decided('accept'), { type: 'xstate.done.actor.callMcpTool', output: mcpOutcome }],
  },
};

/** Where a child is: its script, how many events it took, and whether the turn interrupted it. */
interface ChildState {
  kind: string;
  fed: number;
  interrupted: boolean;
}

/** A snapshot of the walk: the turn's own, plus where each child is (the walk is always active). */
type WalkState = Snapshot<undefined> & { turn: TurnSnapshot; children: Record<string, ChildState> };

const walkSnapshot = (turn: TurnSnapshot, children: Record<string, ChildState>): WalkState => ({
  status: 'active',
  output: undefined,
  error: undefined,
  turn,
  children,
});

type WalkEvent = AnyEvent;

const input = turnInputFixture();
const usage = { totalTokens: 15, inputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 };
/** A response whose context is past the compaction limit of `compactingInput`. */
const bigUsage = { ...usage, totalTokens: 5000, inputTokens: 4900, outputTokens: 100 };
const compactingInput = turnInputFixture({ settings: settingsFixture({ autoCompactTokenLimit: 1000 }) });
const compactOnlyInput = turnInputFixture({ settings: settingsFixture({ autoCompactTokenLimit: 1000 }), compactOnly: true, userInput: [] });
const summaryMessage = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'summary of the work' }] };
const compaction = { summary: 'summary of the work', history: [summaryMessage], usage };

/** The events the child's machine has taken, with its approval child's own request and resolution put in. */
function childEvents(callId: string, child: ChildState): AnyEvent[] {
  const { machine, input: inputFor, script } = CHILDREN[child.kind]!;
  const taken = withApprovalChild(machine, inputFor(callId) as never, script.slice(0, child.fed));
  if (!child.interrupted) return taken;
  const state = replayPure(machine, inputFor(callId) as never, taken as never).snapshot;
  if (state.status === 'done') return taken;
  return [...taken, { type: 'interrupt' }, ...settleAfterInterrupt({ matches: (value) => state.matches(value), context: state.context })];
}

const said = new Map<string, AnyEvent[]>();

/** What the child has told the turn so far, and its outcome once its machine is done (remembered: the walk asks often). */
function childMessages(callId: string, child: ChildState): AnyEvent[] {
  const key = JSON.stringify([callId, child]);
  if (!said.has(key)) said.set(key, computeChildMessages(callId, child));
  return said.get(key)!;
}

function computeChildMessages(callId: string, child: ChildState): AnyEvent[] {
  const { machine, input: inputFor } = CHILDREN[child.kind]!;
  const events = childEvents(callId, child);
  const messages = parentMessages(machine, inputFor(callId) as never, events as never);
  const { snapshot } = replayPure(machine, inputFor(callId) as never, events as never);
  if (snapshot.status !== 'done') return messages;
  // The tool call answers the turn with its machine's result, as the router does.
  const result = snapshot.output as { modelOutput: string; cancelTurn: boolean; grants: string[] };
  const output: ToolCallOutcome = {
    callId,
    items: [{ type: 'function_call_output', call_id: callId, output: result.modelOutput }],
    cancelTurn: result.cancelTurn,
    grants: result.grants,
  };
  return [...messages, { type: `xstate.done.actor.${callId}`, output, actorId: callId }];
}

const isDone = (callId: string, child: ChildState) => childMessages(callId, child).some((message) => message.type.startsWith('xstate.done.actor.'));

/** The turn events a walk event stands for: what the child said since its last step. */
function expand(state: WalkState, event: WalkEvent): { turnEvents: AnyEvent[]; children: Record<string, ChildState> } {
  const callId = event.callId as string;
  const before = state.children[callId];
  let after: ChildState | undefined;
  if (event.type === 'child.pick') after = { kind: event.kind as string, fed: 0, interrupted: false };
  else if (event.type === 'child.step' && before) after = { ...before, fed: before.fed + 1 };
  else if (event.type === 'child.settle' && before) after = { ...before, interrupted: true };
  if (!after) return { turnEvents: [event], children: state.children };
  const said = childMessages(callId, after).slice(before ? childMessages(callId, before).length : 0);
  return { turnEvents: said, children: { ...state.children, [callId]: after } };
}

const walkLogic: ActorLogic<WalkState, WalkEvent, typeof input> = {
  config: turnMachine,
  transition: (state, event) => {
    const { turnEvents, children } = expand(state, event);
    let turn = state.turn;
    for (const inner of turnEvents) turn = transition(turnMachine, turn as never, inner as never)[0] as TurnSnapshot;
    return walkSnapshot(turn, children);
  },
  getInitialSnapshot: (_scope, walkInput) => walkSnapshot(initialTransition(turnMachine, walkInput)[0] as TurnSnapshot, {}),
  getPersistedSnapshot: (state) => state,
};

const call = (callId: string) => ({
  type: 'model.outputItemDone',
  data: { type: 'outputItemDone', item: { type: 'function_call', id: `fc_${callId}`, call_id: callId, name: 'exec_command', arguments: '{"cmd":"ls"}' } },
});
const message = (type: string, extra: object) => ({ type: `model.${type}`, data: { type, ...extra } });

interface Alphabet {
  /** Reasoning items besides the agent message. */
  reasoning: boolean;
  /** Responses may report a context past the compaction limit or be refused as too long, and compactions succeed or fail. */
  compaction?: boolean;
  /** How many tool calls the first response may make. */
  maxCalls: number;
  /** Which children a call may be. */
  kinds: string[];
}

const has = (items: Array<{ id?: unknown }>, id: string) => items.some((item) => item.id === id);

/** What can happen next, given where the turn and its children are. */
const eventsAt =
  (alphabet: Alphabet) =>
  (state: WalkState): WalkEvent[] => {
    const { turn, children } = state;
    const ctx = turn.context;
    const events: WalkEvent[] = [{ type: 'interrupt' }];
    if (turn.matches('preparing')) {
      events.push({ type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } });
      events.push({ type: 'xstate.error.actor.prepareTurn', error: new Error('unreadable image') });
    }
    if (turn.matches('compacting')) {
      events.push(
        { type: 'xstate.done.actor.compact', output: compaction },
        { type: 'xstate.error.actor.compact', error: new Error('summary request failed') },
      );
    }
    if (turn.matches('sampling')) {
      const streamingIds = Object.keys(ctx.streaming);
      // providers give every output item of every response its own id (a compaction empties `added`, so it counts too)
      const request = ctx.added.length <= 1 ? 1 : 2;
      const modelItems: Array<[string, string]> = [['message', `msg_${request}_${ctx.compactions}`]];
      if (alphabet.reasoning) modelItems.push(['reasoning', `rs_${request}_${ctx.compactions}`]);
      for (const [itemType, itemId] of modelItems) {
        const open = streamingIds.includes(itemId);
        if (!open && !has(ctx.round, itemId)) events.push(message('outputItemAdded', { itemType, itemId }));
        if (open && itemType === 'message') {
          events.push(
            message('outputTextDeltas', { itemId, deltas: ['Hi'] }),
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
      if (alphabet.compaction) {
        events.push(
          message('completed', { responseId: 'r', usage: bigUsage }),
          message('failed', { error: { message: 'too long for the model', codexErrorInfo: 'contextWindowExceeded', additionalDetails: null } }),
        );
      }
      if (request === 1 && ctx.compactions === 0 && ctx.pendingCalls.length < alphabet.maxCalls)
        events.push(call(ctx.pendingCalls.length === 0 ? 'call_a' : 'call_b'));
    }
    if (turn.matches('interrupting') && !ctx.processesStopped) events.push({ type: 'xstate.done.actor.stopProcesses' });
    const interrupted = turn.matches('interrupting');
    for (const callId of ctx.runningCalls as string[]) {
      const child = children[callId];
      if (!child) for (const kind of alphabet.kinds) events.push({ type: 'child.pick', callId, kind });
      else if (interrupted && !child.interrupted) events.push({ type: 'child.settle', callId });
      else if (!child.interrupted && !isDone(callId, child) && child.fed < CHILDREN[child.kind]!.script.length) events.push({ type: 'child.step', callId });
    }
    return events;
  };

const serialize = (state: WalkState) => {
  const ctx = state.turn.context;
  return JSON.stringify({
    value: state.turn.value,
    status: state.turn.status,
    children: state.children,
    added: ctx.added.length,
    round: ctx.round.length,
    pending: ctx.pendingCalls.map((c: { callId: string }) => c.callId),
    streaming: Object.keys(ctx.streaming),
    running: ctx.runningCalls,
    awaited: ctx.awaitedApprovals,
    outcomes: ctx.outcomes.length,
    stopped: ctx.processesStopped,
    turnStatus: ctx.status,
    compaction: ctx.compaction?.id ?? null,
    compactions: ctx.compactions,
    retried: ctx.retriedAfterRejection,
    measure: ctx.contextMeasure,
  });
};

const walkOptions = (alphabet: Alphabet, walkInput: typeof input = input) => ({
  input: walkInput,
  events: eventsAt(alphabet),
  serializeState: serialize as never,
  serializeEvent: (event: WalkEvent) => JSON.stringify(event),
  limit: 500_000,
});
/** Every reachable state with the full alphabet (two parallel calls, reasoning), by a shortest path. */
const statePaths = getShortestPaths(walkLogic, walkOptions({ reasoning: true, maxCalls: 2, kinds: ['asked', 'cancelled'] }));
/** Every simple path with a smaller alphabet (one call, no reasoning). */
const simplePaths = getSimplePaths(walkLogic, walkOptions({ reasoning: false, maxCalls: 1, kinds: Object.keys(CHILDREN) }));
/** Every reachable state when the conversation outgrows the limit: compaction before a request and after a refusal. */
const compactingPaths = getShortestPaths(
  walkLogic,
  walkOptions({ reasoning: false, maxCalls: 1, kinds: ['auto', 'asked'], compaction: true }, compactingInput),
);
/** Every reachable state of a turn that only compacts (thread/compact/start). */
const compactOnlyPaths = getShortestPaths(walkLogic, walkOptions({ reasoning: false, maxCalls: 0, kinds: [] }, compactOnlyInput));
/** Each path with the input its walk started from. */
const paths = [
  ...[...statePaths, ...simplePaths].map((path) => ({ ...path, input })),
  ...compactingPaths.map((path) => ({ ...path, input: compactingInput })),
  ...compactOnlyPaths.map((path) => ({ ...path, input: compactOnlyInput })),
];

/** Replays walk events through the turn with pure transitions, collecting what it emits. */
function replay(walkEvents: WalkEvent[], walkInput: typeof input = input) {
  let state = walkLogic.getInitialSnapshot(null as never, walkInput);
  const turnEvents: AnyEvent[] = [];
  for (const event of walkEvents) {
    const { turnEvents: inner, children } = expand(state, event);
    turnEvents.push(...inner);
    state = walkSnapshot(state.turn, children);
  }
  return replayPure(turnMachine, walkInput, turnEvents as never);
}

/**
 * The turn's events as a client sees them: the session turns the turn's reports into the
 * thread's status (active when the turn starts, waiting while a call waits on the user, idle
 * just before the turn completes), which the ordering rules speak of.
 */
function asClientSees(reports: Array<{ type: string; [key: string]: unknown }>): ProtocolEvent[] {
  const status = (value: ThreadStatus): ProtocolEvent => ({ method: 'thread/status/changed', params: { threadId: 'th', status: value } });
  const events: ProtocolEvent[] = [status({ type: 'active', activeFlags: [] })];
  for (const report of reports) {
    if (report.type === 'protocol') events.push(report.event as ProtocolEvent);
    if (report.type === 'turn.waitingOnApproval') events.push(status({ type: 'active', activeFlags: report.waiting ? ['waitingOnApproval'] : [] }));
    if (report.type === 'turn.finishing') events.push(status({ type: 'idle' }));
  }
  return events;
}

/** The children's and the environment's response to an interrupt, from any state: a child not yet running is stopped before it did anything. */
function settle(state: WalkState): WalkEvent[] {
  const events: WalkEvent[] = [];
  for (const callId of state.turn.context.runningCalls as string[]) {
    if (!state.children[callId]) events.push({ type: 'child.pick', callId, kind: 'auto' });
    events.push({ type: 'child.settle', callId });
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
    for (const value of ['"preparing"', '"sampling"', '"dispatching"', '"interrupting"', '"compacting"', '"done"']) expect(values).toContain(value);
  });

  it('holds the lifecycle invariants on every path (items, approvals, turn start and end, status flags)', () => {
    for (const path of paths) {
      const walkEvents = path.steps.slice(1).map((step) => step.event);
      const { snapshot, reports } = replay(walkEvents, path.input);
      const emitted = asClientSees(reports);
      const label = walkEvents.map((event) => event.type + (typeof event.callId === 'string' ? `(${event.callId})` : '')).join(' > ');
      const violations = lifecycleViolations(emitted, { finished: snapshot.status === 'done' });
      expect(violations, label).toEqual([]);
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
      const { snapshot, reports } = replay(all, path.input);
      const emitted = asClientSees(reports);
      const label = all.map((event) => event.type + (typeof event.callId === 'string' ? `(${event.callId})` : '')).join(' > ');
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
      message('outputTextDeltas', { itemId: 'msg_1', deltas: ['Hel'] }),
      message('retrying', { attempt: 1, maxAttempts: 5, delayMs: 10, message: 'Reconnecting... 1/5' }),
    ]);
    expect(emitted.slice(3).map((event) => event.method)).toEqual(['item/started', 'item/agentMessage/delta', 'item/completed', 'error']);
    expect(emitted.at(-1)).toMatchObject({ params: { willRetry: true, error: { message: 'Reconnecting... 1/5' } } });
  });

  it('tool outputs go back to the model in the order of the calls, after the calls', () => {
    const { snapshot } = replay([
      { type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } },
      call('call_a'),
      call('call_b'),
      message('completed', { responseId: 'r', usage }),
      { type: 'child.pick', callId: 'call_b', kind: 'refused' },
      { type: 'child.step', callId: 'call_b' },
      { type: 'child.pick', callId: 'call_a', kind: 'refused' },
      { type: 'child.step', callId: 'call_a' },
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
      { type: 'child.pick', callId: 'call_a', kind: 'refused' },
      { type: 'child.step', callId: 'call_a' },
      message('completed', { responseId: 'r2', usage }),
    ]);
    const updates = emitted.filter((event) => event.method === 'thread/tokenUsage/updated');
    expect(updates.map((event) => event.method === 'thread/tokenUsage/updated' && event.params.tokenUsage.total.totalTokens)).toEqual([15, 30]);
    expect(lastTurnStatus(emitted)).toBe('completed');
  });
});

describe('turn machine, compaction', () => {
  const prepared = { type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } };
  const refusal = message('failed', { error: { message: 'too long for the model', codexErrorInfo: 'contextWindowExceeded', additionalDetails: null } });
  const compacted = { type: 'xstate.done.actor.compact', output: compaction };
  const compactionItems = (emitted: ProtocolEvent[]) =>
    emitted.filter((event) => (event.method === 'item/started' || event.method === 'item/completed') && event.params.item.type === 'contextCompaction');

  it('compacts before the next request once the last response put the context past the limit, and goes on from the summary', () => {
    const { snapshot, emitted } = replay(
      [
        prepared,
        call('call_a'),
        message('completed', { responseId: 'r1', usage: bigUsage }),
        { type: 'child.pick', callId: 'call_a', kind: 'refused' },
        { type: 'child.step', callId: 'call_a' },
      ],
      compactingInput,
    );
    expect(snapshot.value).toBe('compacting');
    const before = snapshot.context.history.length + snapshot.context.added.length;
    expect(before).toBeGreaterThan(1);
    const { snapshot: after, emitted: all } = replay(
      [
        prepared,
        call('call_a'),
        message('completed', { responseId: 'r1', usage: bigUsage }),
        { type: 'child.pick', callId: 'call_a', kind: 'refused' },
        { type: 'child.step', callId: 'call_a' },
        compacted,
      ],
      compactingInput,
    );
    expect(after.value).toBe('sampling');
    // The next request carries the compacted conversation only.
    expect([...after.context.history, ...after.context.added]).toEqual([summaryMessage]);
    expect(compactionItems(all).map((event) => event.method)).toEqual(['item/started', 'item/completed']);
    expect(all.at(-1)).toEqual({ method: 'thread/compacted', params: { threadId: 'th', turnId: 'tu' } });
    expect(emitted.filter((event) => event.method === 'thread/compacted')).toHaveLength(0);
  });

  it('a small context does not compact; an estimated history past the limit compacts before the first request', () => {
    const small = replay([prepared], compactingInput);
    expect(small.snapshot.value).toBe('sampling');
    const long = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(8000) }] }];
    const big = replay([prepared], turnInputFixture({ settings: settingsFixture({ autoCompactTokenLimit: 1000 }), history: long }));
    expect(big.snapshot.value).toBe('compacting');
  });

  it('a refusal for length compacts once and retries; a second refusal fails the turn', () => {
    const retried = replay([prepared, refusal, compacted], compactingInput);
    expect(retried.snapshot.value).toBe('sampling');
    expect(retried.emitted.some((event) => event.method === 'error')).toBe(false);
    const failed = replay([prepared, refusal, compacted, refusal], compactingInput);
    expect(failed.snapshot.status).toBe('done');
    expect(lastTurnStatus(failed.emitted)).toBe('failed');
    expect(compactionItems(failed.emitted)).toHaveLength(2);
  });

  it('a compaction that fails completes its item and fails the turn', () => {
    const { snapshot, emitted } = replay(
      [prepared, refusal, { type: 'xstate.error.actor.compact', error: new Error('summary request failed') }],
      compactingInput,
    );
    expect(snapshot.status).toBe('done');
    expect(compactionItems(emitted).map((event) => event.method)).toEqual(['item/started', 'item/completed']);
    expect(snapshot.output?.turn.error?.message).toMatch(/could not compact the conversation: summary request failed/);
  });

  it('a turn that only compacts has no user message, and hands the session the compacted history', () => {
    const { snapshot, emitted } = replay([compacted], compactOnlyInput);
    expect(snapshot.status).toBe('done');
    expect(emitted.map((event) => event.method)).toEqual([
      'turn/started',
      'item/started',
      'item/completed',
      'thread/compacted',
      'thread/tokenUsage/updated',
      'turn/completed',
    ]);
    expect(snapshot.output).toMatchObject({ status: 'completed', compactedHistory: [summaryMessage], added: [] });
  });
});
