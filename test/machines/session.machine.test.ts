import { describe, expect, it } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import { sessionMachine, type ConfiguredThread, type SessionInput, type TurnOutput } from '../../machines/index.js';
import { emptyUsage, type ProtocolEvent } from '../../protocol/index.js';
import { replayPure } from './harness.js';
import { settingsFixture, threadFixture } from './fixtures.js';

const input: SessionInput = { threadId: 'th', overrides: {}, resumed: null };
const thread = threadFixture();
const configured: ConfiguredThread = { settings: settingsFixture(), thread };
const turnOutput = (status: TurnOutput['status']): TurnOutput => ({
  status,
  error: null,
  turn: { id: 't1', rootTurnId: 't1', items: [], itemsView: 'summary', status, error: null, startedAt: 1, completedAt: 2, durationMs: 1 },
  added: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  usageTotal: { ...emptyUsage(), totalTokens: 15 },
  grants: ['cmd:ls'],
});
const request: ProtocolEvent = {
  method: 'item/commandExecution/requestApproval', approvalId: 'a1',
  params: { kind: 'command', threadId: 'th', turnId: 't1', itemId: 'c1', startedAtMs: 1, environmentId: 'local', reason: null, command: 'ls', cwd: '/ws', commandActions: [], proposedExecpolicyAmendment: null, availableDecisions: ['accept'], risk: null },
};

const events: Array<{ type: string; [key: string]: any }> = [
  { type: 'xstate.done.actor.configure', output: configured },
  { type: 'xstate.error.actor.configure', error: new Error('/home/u/.statecraft/config.toml: approval_policy: expected one of ...') },
  { type: 'turn.start', turnId: 't1', userMessageId: 'u1', input: [{ type: 'text', text: 'hi', text_elements: [] }], overrides: { approvalPolicy: 'never' } },
  { type: 'turn.interrupt' },
  { type: 'approval.decide', approvalId: 'a1', decision: 'accept' },
  { type: 'approval.decide', approvalId: 'unknown', decision: 'accept' },
  { type: 'thread.close' },
  { type: 'relay', event: request },
  { type: 'relay', event: { method: 'serverRequest/resolved', approvalId: 'a1', params: { threadId: 'th' } } },
  { type: 'xstate.done.actor.turn', output: turnOutput('completed') },
  { type: 'xstate.error.actor.turn', error: new Error('bug') },
  { type: 'xstate.done.actor.shutdown' },
];

const paths = getSimplePaths(sessionMachine, {
  input,
  // the turn asks a given approval once, and resolves only what it asked
  events: ((snapshot: { context: { pendingApprovals: string[] } }) =>
    events.filter((event) => {
      if (event.type !== 'relay') return true;
      const pending = snapshot.context.pendingApprovals.includes('a1');
      return event.event.method === 'serverRequest/resolved' ? pending : !pending;
    })) as never,
  serializeState: (snapshot) =>
    JSON.stringify({ value: snapshot.value, approvals: snapshot.context.pendingApprovals, close: snapshot.context.closeRequested, turn: snapshot.context.currentTurn?.turnId ?? null }),
});

describe('session machine, every simple path', () => {
  it('reaches every state', () => {
    const values = new Set(paths.map((path) => JSON.stringify(path.state.value)));
    for (const value of ['"configuring"', '"ready"', '"running"', '"closing"', '"closed"']) expect(values).toContain(value);
  });

  it('publishes thread/started exactly once, only when configured, before anything else', () => {
    for (const path of paths) {
      const pathEvents = path.steps.slice(1).map((step) => step.event as { type: string; [key: string]: any });
      const { emitted } = replayPure(sessionMachine, input, pathEvents as never);
      const label = pathEvents.map((event) => event.type).join(' > ');
      const started = emitted.filter((event) => event.method === 'thread/started');
      const configuredOk = pathEvents.some((event) => event.type === 'xstate.done.actor.configure');
      expect(started.length, label).toBe(configuredOk ? 1 : 0);
      if (started.length) expect(emitted[0]?.method, label).toBe('thread/started');
    }
  });

  it('a failed configuration closes the thread with the error, nothing published', () => {
    const { snapshot, emitted } = replayPure(sessionMachine, input, [events[1]] as never);
    expect(emitted).toEqual([]);
    expect(snapshot.status).toBe('done');
    expect(snapshot.output?.error?.message).toContain('approval_policy');
  });

  it('runs one turn at a time, carrying history, usage and grants to the next', () => {
    const { snapshot } = replayPure(sessionMachine, input, [events[0], events[2], events[2], events[9]] as never);
    expect(snapshot.value).toBe('ready');
    expect(snapshot.context.history).toHaveLength(1);
    expect(snapshot.context.usageTotal.totalTokens).toBe(15);
    expect(snapshot.context.grants).toEqual(['cmd:ls']);
    expect(snapshot.context.settings?.approvalPolicy).toBe('never');
    expect(snapshot.context.thread?.preview).toBe('hi');
  });

  it('a crashed turn still ends with turn/completed failed and the thread goes idle', () => {
    const { snapshot, emitted } = replayPure(sessionMachine, input, [events[0], events[2], events[10]] as never);
    expect(snapshot.value).toBe('ready');
    expect(emitted.slice(1).map((event) => event.method)).toEqual(['thread/status/changed', 'turn/completed']);
    expect(emitted.at(-1)).toMatchObject({ params: { turn: { status: 'failed' } } });
  });

  it('closing during a turn interrupts it first, then shuts down', () => {
    const { snapshot } = replayPure(sessionMachine, input, [events[0], events[2], events[6]] as never);
    expect(snapshot.value).toBe('running');
    const after = replayPure(sessionMachine, input, [events[0], events[2], events[6], events[9], events[11]] as never);
    expect(after.snapshot.status).toBe('done');
  });
});
