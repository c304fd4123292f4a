import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, initialTransition, transition, waitFor, type ActorLogic, type Snapshot } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { sessionMachine, type ConfiguredThread, type SessionInput, type TurnOutput } from '../../machines/index.js';
import { emptyUsage, type ProtocolEvent } from '../../protocol/index.js';
import { fixedClock, settingsFixture, threadFixture } from './fixtures.js';
import { fromLiveChildren, replayPure } from './harness.js';
import { lifecycleViolations } from './invariants.js';

type AnyEvent = { type: string; [key: string]: any };

const input: SessionInput = { threadId: 'th', overrides: {}, resumed: null, clock: fixedClock };
const configured: ConfiguredThread = { settings: settingsFixture(), thread: threadFixture() };
const turnOutput = (status: TurnOutput['status']): TurnOutput => ({
  status,
  error: null,
  turn: { id: 't1', rootTurnId: 't1', items: [], itemsView: 'summary', status, error: null, startedAt: 1, completedAt: 2, durationMs: 1 },
  added: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  usageTotal: { ...emptyUsage(), totalTokens: 15 },
  compactedHistory: null,
  contextMeasure: null,
  grants: ['cmd:ls'],
});

const relay = (event: ProtocolEvent): AnyEvent => ({ type: 'relay', events: [event] });
const turn = (status: 'inProgress' | 'completed') => ({
  id: 't1',
  rootTurnId: 't1',
  items: [],
  itemsView: 'notLoaded' as const,
  status,
  error: null,
  startedAt: 1,
  completedAt: null,
  durationMs: null,
});
const item = {
  type: 'commandExecution' as const,
  id: 'c1',
  pluginId: null,
  scriptPath: null,
  command: 'ls',
  cwd: '/ws',
  processId: null,
  source: 'unifiedExecStartup' as const,
  status: 'inProgress' as const,
  commandActions: [],
  aggregatedOutput: null,
  exitCode: null,
  durationMs: null,
  startedAtMs: 1,
  completedAtMs: null,
};

/**
 * What a running turn sends the session, in the order the turn machine sends it (its own
 * tests hold it to that order): it starts, a call waits on the user and is answered, the
 * turn finishes. The walk feeds these one at a time, so the session meets every prefix.
 */
const TURN_SCRIPT: AnyEvent[] = [
  relay({ method: 'turn/started', params: { threadId: 'th', turn: turn('inProgress') } }),
  relay({ method: 'item/started', params: { item, threadId: 'th', turnId: 't1', startedAtMs: 1 } }),
  { type: 'turn.waitingOnApproval', waiting: true },
  relay({
    method: 'item/commandExecution/requestApproval',
    approvalId: 'a1',
    params: {
      kind: 'command',
      threadId: 'th',
      turnId: 't1',
      itemId: 'c1',
      startedAtMs: 1,
      environmentId: 'local',
      reason: null,
      command: 'ls',
      cwd: '/ws',
      commandActions: [],
      proposedExecpolicyAmendment: null,
      availableDecisions: ['accept'],
      risk: null,
    },
  }),
  relay({ method: 'serverRequest/resolved', approvalId: 'a1', params: { threadId: 'th' } }),
  { type: 'turn.waitingOnApproval', waiting: false },
  relay({
    method: 'item/completed',
    params: { item: { ...item, status: 'completed' }, threadId: 'th', turnId: 't1', contentTokenCount: null, completedAtMs: 2 },
  }),
  { type: 'conversation.committed', turnId: 't1', items: [], usageTotal: emptyUsage() },
  { type: 'turn.finishing' },
  relay({ method: 'turn/completed', params: { threadId: 'th', turn: { ...turn('completed'), completedAt: 2, durationMs: 1, itemsView: 'summary' } } }),
  { type: 'xstate.done.actor.turn', output: turnOutput('completed') },
];

const TURN_COMPLETED = TURN_SCRIPT.findIndex((event) => event.event?.method === 'turn/completed') + 1;

const start = {
  type: 'turn.start',
  turnId: 't1',
  userMessageId: 'u1',
  input: [{ type: 'text', text: 'hi', text_elements: [] }],
  overrides: { approvalPolicy: 'never' },
};
const fixedEvents: AnyEvent[] = [
  { type: 'xstate.done.actor.configure', output: configured },
  { type: 'xstate.error.actor.configure', error: new Error('/home/u/.statecraft/config.toml: approval_policy: expected one of ...') },
  start,
  { type: 'turn.interrupt' },
  { type: 'approval.decide', approvalId: 'a1', decision: 'accept' },
  { type: 'thread.close' },
  { type: 'xstate.error.actor.turn', error: new Error('bug') },
  { type: 'xstate.done.actor.shutdown' },
  { type: 'compact.start', turnId: 't1' },
];

type SessionSnapshot = ReturnType<typeof replayPure<typeof sessionMachine>>['snapshot'];

/** A walk state: the session's snapshot and how many messages of the turn script it has had (the walk is always active). */
type WalkState = Snapshot<undefined> & { session: SessionSnapshot; fed: number };
const walkState = (session: SessionSnapshot, fed: number): WalkState => ({ status: 'active', output: undefined, error: undefined, session, fed });

const walkLogic: ActorLogic<WalkState, AnyEvent, SessionInput> = {
  config: sessionMachine,
  transition: (state, event) => {
    const { step, ...inner } = event;
    const session = transition(sessionMachine, state.session as never, inner as never)[0];
    // A new turn starts its script from the beginning.
    const fed =
      (inner.type === 'turn.start' || inner.type === 'compact.start') && !state.session.matches('inTurn') ? 0 : step === undefined ? state.fed : state.fed + 1;
    return walkState(session, fed);
  },
  getInitialSnapshot: (_scope, walkInput) => walkState(initialTransition(sessionMachine, walkInput)[0], 0),
  getPersistedSnapshot: (state) => state,
};

const paths = getSimplePaths(walkLogic, {
  input,
  events: (state: WalkState) => {
    // The turn's first act is turn/started, and once it published its completion it is done:
    // a crash falls between the two.
    const live = fromLiveChildren(fixedEvents)(state.session).filter(
      (event) => event.type !== 'xstate.error.actor.turn' || (state.fed >= 1 && state.fed < TURN_COMPLETED),
    );
    if (!state.session.matches('inTurn') || state.fed >= TURN_SCRIPT.length) return live;
    return [...live, { ...TURN_SCRIPT[state.fed]!, step: state.fed }];
  },
  serializeState: (state: WalkState) =>
    JSON.stringify({
      value: state.session.value,
      status: state.session.status,
      close: state.session.context.closeRequested,
      turn: state.session.context.currentTurn?.turnId ?? null,
      thread: state.session.context.thread?.status ?? null,
      fed: state.fed,
    }),
});

/** A path's events as the session takes them. */
const eventsOf = (path: (typeof paths)[number]) =>
  path.steps.slice(1).map(({ event }) => {
    const { step: _step, ...inner } = event;
    return inner;
  });
const snapshotOf = (path: (typeof paths)[number]) => path.state.session;

describe('session machine, every simple path', () => {
  it('reaches every state', () => {
    const values = new Set(paths.map((path) => JSON.stringify(snapshotOf(path).value)));
    for (const value of ['"configuring"', '"ready"', '"inTurn"', '"closing"', '"closed"']) expect(values).toContain(value);
  });

  it('publishes thread/started exactly once, only when configured, before anything else', () => {
    for (const path of paths) {
      const { emitted } = replayPure(sessionMachine, input, eventsOf(path) as never);
      const label = eventsOf(path)
        .map((event) => event.type)
        .join(' > ');
      const started = emitted.filter((event) => event.method === 'thread/started');
      const configuredOk = eventsOf(path).some((event) => event.type === 'xstate.done.actor.configure');
      expect(started.length, label).toBe(configuredOk ? 1 : 0);
      if (started.length) expect(emitted[0]?.method, label).toBe('thread/started');
    }
  });

  it('holds the lifecycle invariants on every path: statuses, items, approvals, turn start and end', () => {
    for (const path of paths) {
      const { emitted, snapshot } = replayPure(sessionMachine, input, eventsOf(path) as never);
      const label = eventsOf(path)
        .map((event) => event.type)
        .join(' > ');
      const finished = snapshot.status === 'done' || !snapshot.matches('inTurn');
      // A crashed turn (a bug: the turn's own walks show it closes everything) still gets its
      // completion and idle status from the session, but what it left open stays open.
      const crashed = eventsOf(path).some((event) => event.type === 'xstate.error.actor.turn');
      const violations = lifecycleViolations(emitted.slice(1), { finished }).filter(
        (violation) => !(crashed && /still open|never completed|unresolved|never resolved/.test(violation)),
      );
      expect(violations, label).toEqual([]);
      // The thread is active from the start of a turn until just before its completion.
      const statuses = emitted.filter((event) => event.method === 'thread/status/changed');
      const turns = emitted.filter((event) => event.method === 'turn/started').length;
      if (turns > 0) expect(statuses[0], label).toMatchObject({ params: { status: { type: 'active', activeFlags: [] } } });
      emitted.forEach((event, index) => {
        if (event.method === 'turn/completed')
          expect(emitted[index - 1], label).toMatchObject({ method: 'thread/status/changed', params: { status: { type: 'idle' } } });
      });
      // What clients last heard is what the thread record says.
      const last = statuses.at(-1);
      if (last?.method === 'thread/status/changed') expect(snapshot.context.thread?.status, label).toEqual(last.params.status);
    }
  });

  it('a failed configuration closes the thread with the error, nothing published', () => {
    const { snapshot, emitted } = replayPure(sessionMachine, input, [fixedEvents[1]] as never);
    expect(emitted).toEqual([]);
    expect(snapshot.status).toBe('done');
    expect(snapshot.output?.error?.message).toContain('approval_policy');
  });

  it('runs one turn at a time: a second start is refused with the reason, the first runs on', () => {
    const { snapshot, reports } = replayPure(sessionMachine, input, [fixedEvents[0], start, { ...start, turnId: 't2' }] as never);
    expect(snapshot.matches('inTurn')).toBe(true);
    expect(snapshot.context.currentTurn?.turnId).toBe('t1');
    expect(reports.filter((report) => report.type === 'turn.rejected')).toEqual([
      { type: 'turn.rejected', turnId: 't2', reason: 'a turn is already running on this thread' },
    ]);
    const early = replayPure(sessionMachine, input, [start] as never);
    expect(early.reports).toContainEqual({ type: 'turn.rejected', turnId: 't1', reason: 'the thread is not configured yet' });
  });

  it('carries history, usage and grants to the next turn, and gives each turn its own diff tracker', () => {
    const running = replayPure(sessionMachine, input, [fixedEvents[0], start] as never).snapshot;
    expect(Object.keys(running.children)).toContain('turnDiff/t1');
    const { snapshot } = replayPure(sessionMachine, input, [fixedEvents[0], start, TURN_SCRIPT.at(-1)] as never);
    expect(snapshot.value).toBe('ready');
    expect(snapshot.context.history).toHaveLength(1);
    expect(snapshot.context.usageTotal.totalTokens).toBe(15);
    expect(snapshot.context.grants).toEqual(['cmd:ls']);
    expect(snapshot.context.settings?.approvalPolicy).toBe('never');
    expect(snapshot.context.thread?.preview).toBe('hi');
  });

  it('hands each committed piece of the conversation to the rollout as it comes', () => {
    const committed = TURN_SCRIPT.find((event) => event.type === 'conversation.committed')!;
    const { reports } = replayPure(sessionMachine, input, [fixedEvents[0], start, committed] as never);
    expect(reports.filter((report) => report.type === 'conversation.committed')).toEqual([committed]);
  });

  it('a crashed turn still ends with turn/completed failed and the thread goes idle', () => {
    const { snapshot, emitted } = replayPure(sessionMachine, input, [fixedEvents[0], start, TURN_SCRIPT[0], fixedEvents[6]] as never);
    expect(snapshot.value).toBe('ready');
    expect(emitted.slice(1).map((event) => event.method)).toEqual(['thread/status/changed', 'turn/started', 'thread/status/changed', 'turn/completed']);
    expect(emitted.at(-1)).toMatchObject({ params: { turn: { status: 'failed' } } });
  });

  it('closing during a turn interrupts it first, then shuts down', () => {
    const { snapshot } = replayPure(sessionMachine, input, [fixedEvents[0], start, fixedEvents[5]] as never);
    expect(snapshot.matches('inTurn')).toBe(true);
    const after = replayPure(sessionMachine, input, [fixedEvents[0], start, fixedEvents[5], TURN_SCRIPT.at(-1), fixedEvents[7]] as never);
    expect(after.snapshot.status).toBe('done');
  });
});

describe('session machine, compaction', () => {
  const summary = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'summary' }] };
  const ready = [{ type: 'xstate.done.actor.configure', output: configured }];

  it('passes a compaction on to the rollout and continues from the compacted history', () => {
    const compactedEvent = { type: 'conversation.compacted', turnId: 't1', summary: 'summary', history: [summary], usageTotal: emptyUsage() };
    const { snapshot, reports } = replayPure(sessionMachine, input, [
      ...ready,
      { type: 'compact.start', turnId: 't1' },
      compactedEvent,
      { type: 'xstate.done.actor.turn', output: { ...turnOutput('completed'), added: [], compactedHistory: [summary] } },
    ] as never);
    expect(reports).toContainEqual(compactedEvent);
    expect(snapshot.value).toBe('ready');
    expect(snapshot.context.history).toEqual([summary]);
  });

  it('refuses to compact while a turn runs', () => {
    const { reports } = replayPure(sessionMachine, input, [...ready, start, { type: 'compact.start', turnId: 't2' }] as never);
    expect(reports).toContainEqual({ type: 'turn.rejected', turnId: 't2', reason: 'a turn is already running on this thread' });
  });
});

describe("session: an MCP server's question (elicitation)", () => {
  const question = {
    mode: 'form' as const,
    message: 'Which color?',
    requestedSchema: { type: 'object' as const, properties: { color: { type: 'string' } }, required: ['color'] },
  };
  /** A session whose configuration is done (or never ends), with what it published and answered. */
  function live(configureDone = true) {
    const machine = sessionMachine.provide({
      actors: {
        configure: fromPromise<ConfiguredThread, SessionInput>(() => (configureDone ? Promise.resolve(configured) : new Promise<never>(() => {}))),
        shutdown: fromPromise<void, { threadId: string }>(() => Promise.resolve()),
      },
    });
    const actor = createActor(machine, { input });
    const published: ProtocolEvent[] = [];
    const answers: Array<{ elicitationId: string; action: string; content: unknown }> = [];
    actor.on('protocol', ({ event }) => published.push(event));
    actor.on('elicitation.answered', ({ elicitationId, action, content }) => answers.push({ elicitationId, action, content }));
    actor.start();
    return { actor, published, answers };
  }
  const ready = (actor: ReturnType<typeof live>['actor']) => waitFor(actor, (snapshot) => snapshot.matches('ready'));

  it('asks the user as mcpServer/elicitation/request and emits the accepted form once resolved', async () => {
    const { actor, published, answers } = live();
    await ready(actor);
    actor.send({ type: 'elicitation.ask', elicitationId: 'e1', serverName: 'fx', question });
    expect(published.at(-1)).toEqual({
      method: 'mcpServer/elicitation/request',
      approvalId: 'e1',
      params: { ...question, threadId: 'th', turnId: null, serverName: 'fx' },
    });
    actor.send({ type: 'approval.decide', approvalId: 'e1', decision: 'accept', content: { color: 'red' } });
    expect(published.at(-1)).toEqual({ method: 'serverRequest/resolved', approvalId: 'e1', params: { threadId: 'th' } });
    expect(answers).toEqual([{ elicitationId: 'e1', action: 'accept', content: { color: 'red' } }]);
    expect(actor.getSnapshot().context.elicitations).toEqual([]);
  });

  it('takes an answer the question did not offer (accept for the session) as decline, without content', async () => {
    const { actor, answers } = live();
    await ready(actor);
    actor.send({ type: 'elicitation.ask', elicitationId: 'e1', serverName: 'fx', question });
    actor.send({ type: 'approval.decide', approvalId: 'e1', decision: 'acceptForSession', content: { color: 'red' } });
    expect(answers).toEqual([{ elicitationId: 'e1', action: 'decline', content: null }]);
  });

  it('cancels a question the server gave up on, and every open question when the thread closes', async () => {
    const { actor, published, answers } = live();
    await ready(actor);
    actor.send({ type: 'elicitation.ask', elicitationId: 'e1', serverName: 'fx', question });
    actor.send({ type: 'elicitation.abandon', elicitationId: 'e1' });
    actor.send({ type: 'elicitation.ask', elicitationId: 'e2', serverName: 'fx', question });
    actor.send({ type: 'elicitation.ask', elicitationId: 'e3', serverName: 'fx', question });
    actor.send({ type: 'thread.close' });
    expect(answers.map(({ elicitationId, action }) => [elicitationId, action])).toEqual([
      ['e1', 'cancel'],
      ['e2', 'cancel'],
      ['e3', 'cancel'],
    ]);
    // Every question asked was resolved on the wire too.
    const resolved = published.filter((event) => event.method === 'serverRequest/resolved').map((event) => ('approvalId' in event ? event.approvalId : ''));
    expect(resolved).toEqual(['e1', 'e2', 'e3']);
    // Once closing, a new question is declined at once.
    actor.send({ type: 'elicitation.ask', elicitationId: 'e4', serverName: 'fx', question });
    expect(answers.at(-1)).toEqual({ elicitationId: 'e4', action: 'decline', content: null });
  });

  it('declines a question that comes before the thread is configured, asking nobody', () => {
    const { actor, published, answers } = live(false);
    actor.send({ type: 'elicitation.ask', elicitationId: 'e1', serverName: 'fx', question });
    expect(answers).toEqual([{ elicitationId: 'e1', action: 'decline', content: null }]);
    expect(published).toEqual([]);
    actor.stop();
  });
});

describe('session: MCP start-up news', () => {
  it('keeps what comes before the thread is announced and publishes it right after thread/started, later news at once', async () => {
    let configure!: (value: ConfiguredThread) => void;
    const machine = sessionMachine.provide({
      actors: { configure: fromPromise<ConfiguredThread, SessionInput>(() => new Promise((resolve) => (configure = resolve))) },
    });
    const actor = createActor(machine, { input });
    const published: ProtocolEvent[] = [];
    actor.on('protocol', ({ event }) => published.push(event));
    actor.start();
    actor.send({ type: 'mcp.status', name: 'fx', status: 'starting', error: null });
    expect(published).toEqual([]);
    configure(configured);
    await waitFor(actor, (snapshot) => snapshot.matches('ready'));
    actor.send({ type: 'mcp.status', name: 'fx', status: 'failed', error: 'MCP server fx exited' });
    expect(published.map((event) => [event.method, event.method === 'mcpServer/startupStatus/updated' ? event.params.status : null])).toEqual([
      ['thread/started', null],
      ['mcpServer/startupStatus/updated', 'starting'],
      ['mcpServer/startupStatus/updated', 'failed'],
    ]);
    expect(published.at(-1)).toEqual({
      method: 'mcpServer/startupStatus/updated',
      params: { threadId: 'th', name: 'fx', status: 'failed', error: 'MCP server fx exited' },
    });
    actor.stop();
  });
});
