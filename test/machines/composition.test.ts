import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import {
  sessionMachine,
  toolCallMachine,
  turnMachine,
  type ConfiguredThread,
  type ExecActorInput,
  type ModelActorInput,
  type PolicyCheckInput,
  type PolicyVerdict,
  type PreparedCall,
  type PreparedTurn,
  type ToolCallRequest,
  toModelEvent,
} from '../../machines/index.js';
import type { ApprovalDecision, ModelStreamEvent, ProtocolEvent, ResponseItem, ThreadSettings, UserInput } from '../../protocol/index.js';
import { settingsFixture, threadFixture } from './fixtures.js';
import { lastTurnStatus, lifecycleViolations } from './invariants.js';

/** A command the stub policy understands: what it decides and how the stub process behaves. */
type Verdict = 'run' | 'escalate' | 'ask' | 'refuse';
interface ScriptedCall {
  verdict: Verdict;
  chunks: number;
  exitCode: number;
}
type Round = { text: string | null; calls: ScriptedCall[] };
interface TurnPlan {
  rounds: Round[];
  decisions: ApprovalDecision[];
  /** Interrupt after this many events of the turn, if set. */
  interruptAfter: number | null;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The whole actor tree (session → turn → tool calls → approvals) with I/O replaced by
 * stubs that behave like the real actors (asynchronous, streaming, killable).
 */
function buildSession(plans: TurnPlan[]) {
  let request = 0;
  let turnIndex = -1;
  const model = fromCallback<{ type: string }, ModelActorInput>(({ sendBack, input }) => {
    request += 1;
    const roundIndex = input.input.filter((item) => item.type === 'function_call_output').length > 0 ? 1 : 0;
    const round = plans[turnIndex]!.rounds[Math.min(roundIndex, plans[turnIndex]!.rounds.length - 1)]!;
    const events: ModelStreamEvent[] = [];
    if (round.text !== null) {
      const id = `msg_${request}`;
      events.push({ type: 'outputItemAdded', itemType: 'message', itemId: id });
      for (const word of round.text.split(' ')) events.push({ type: 'outputTextDelta', itemId: id, delta: `${word} ` });
      events.push({ type: 'outputItemDone', item: { type: 'message', id, role: 'assistant', content: [{ type: 'output_text', text: round.text }] } });
    }
    round.calls.forEach((call, index) => {
      events.push({
        type: 'outputItemDone',
        item: { type: 'function_call', id: `fc_${request}_${index}`, call_id: `call_${request}_${index}`, name: 'exec_command', arguments: JSON.stringify(call) },
      });
    });
    events.push({ type: 'completed', responseId: `r${request}`, usage: { totalTokens: 15, inputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 } });
    let stopped = false;
    void (async () => {
      for (const event of events) {
        await tick();
        if (stopped) return;
        sendBack(toModelEvent(event));
      }
    })();
    return () => {
      stopped = true;
    };
  });

  const prepareCall = fromPromise<PreparedCall, { call: ToolCallRequest; settings: ThreadSettings }>(async ({ input }) => {
    const call = JSON.parse(input.call.payload) as ScriptedCall;
    return {
      kind: 'exec',
      view: { command: `/bin/bash -lc '${call.verdict}'`, cwd: '/ws', commandActions: [] },
      run: call,
      escalationRequested: call.verdict === 'ask',
      justification: null,
      grantKey: `cmd:${call.verdict}`,
    };
  });
  const checkPolicy = fromPromise<PolicyVerdict, PolicyCheckInput>(async ({ input }) => {
    const call = (input.prepared as { run: ScriptedCall }).run;
    if (call.verdict === 'refuse') return { decision: 'refuse', message: 'refused' };
    if (call.verdict === 'ask' && !input.sessionGrants.includes('cmd:ask')) {
      return { decision: 'ask', reason: 'wants out', proposedAmendment: null, availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'], modeAfterApproval: 'escalated' };
    }
    return { decision: 'run', mode: call.verdict === 'escalate' ? 'escalated' : 'sandboxed' };
  });
  const exec = fromCallback<{ type: 'kill' }, ExecActorInput>(({ sendBack, receive, input }) => {
    const call = input.run as ScriptedCall;
    let finished = false;
    const finish = (interrupted: boolean) => {
      if (finished) return;
      finished = true;
      sendBack({
        type: 'exec.finished',
        outcome: {
          exitCode: interrupted ? null : call.exitCode, stillRunning: false, interrupted, failedToRun: false, processId: '7',
          aggregatedOutput: 'out', durationMs: 1, modelOutput: `Exit code: ${call.exitCode}`, sandboxDenial: null,
        },
      });
    };
    receive(() => setTimeout(() => finish(true), 0));
    void (async () => {
      await tick();
      if (finished) return;
      sendBack({ type: 'exec.started', processId: '7' });
      for (let i = 0; i < call.chunks; i += 1) {
        await tick();
        if (finished) return;
        sendBack({ type: 'exec.output', chunk: `line ${i}\n` });
      }
      await tick();
      finish(false);
    })();
    return () => {
      finished = true;
    };
  });

  const toolCall = toolCallMachine.provide({ actors: { prepareCall, checkPolicy, exec } });
  const turn = turnMachine.provide({
    actors: {
      model,
      toolCall,
      prepareTurn: fromPromise<PreparedTurn, { settings: ThreadSettings; history: ResponseItem[]; userInput: UserInput[] }>(async () => ({ contextItems: [], userItem: { type: 'message', role: 'user', content: [] } as ResponseItem })),
      stopProcesses: fromPromise(async () => {}),
    },
  });
  const configured: ConfiguredThread = {
    settings: settingsFixture(),
    thread: threadFixture({ reasoningEffort: null }),
  };
  const session = sessionMachine.provide({
    actors: { turn, configure: fromPromise(async () => configured), shutdown: fromPromise(async () => {}) },
  });
  return { session, nextTurn: () => (turnIndex += 1) };
}

const callArb = fc.record({
  verdict: fc.constantFrom<Verdict>('run', 'escalate', 'ask', 'refuse'),
  chunks: fc.integer({ min: 0, max: 3 }),
  exitCode: fc.constantFrom(0, 1),
});
const planArb = fc.record({
  rounds: fc.tuple(
    fc.record({ text: fc.option(fc.constant('let me look'), { nil: null }), calls: fc.array(callArb, { maxLength: 3 }) }),
    fc.record({ text: fc.constant('all done here'), calls: fc.constant<ScriptedCall[]>([]) }),
  ),
  decisions: fc.array(fc.constantFrom<ApprovalDecision>('accept', 'acceptForSession', 'decline', 'cancel'), { maxLength: 4 }),
  interruptAfter: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
});

async function runThread(plans: TurnPlan[]) {
  const { session, nextTurn } = buildSession(plans);
  const actor = createActor(session, { input: { threadId: 'th', overrides: {}, resumed: null } });
  const events: ProtocolEvent[] = [];
  let onEvent: (event: ProtocolEvent) => void = () => {};
  actor.on('protocol', ({ event }) => {
    events.push(event);
    onEvent(event);
  });
  actor.start();
  await tick();
  for (const [index, plan] of plans.entries()) {
    nextTurn();
    const decisions = [...plan.decisions];
    let seen = 0;
    const completed = new Promise<void>((resolve) => {
      onEvent = (event) => {
        seen += 1;
        if (plan.interruptAfter !== null && seen === plan.interruptAfter) setTimeout(() => actor.send({ type: 'turn.interrupt' }), 0);
        if (event.method === 'item/commandExecution/requestApproval') {
          const decision = decisions.shift() ?? 'accept';
          setTimeout(() => actor.send({ type: 'approval.decide', approvalId: event.approvalId, decision }), 0);
        }
        if (event.method === 'turn/completed') resolve();
      };
    });
    actor.send({ type: 'turn.start', turnId: `turn-${index}`, userMessageId: `user-${index}`, input: [{ type: 'text', text: 'go', text_elements: [] }], overrides: {} });
    await completed;
    await tick();
  }
  const snapshot = actor.getSnapshot();
  actor.stop();
  return { events, snapshot };
}

describe('the whole actor tree with asynchronous stub I/O', () => {
  it('keeps every ordering invariant whatever the model, the user and the timing do', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(planArb, { minLength: 1, maxLength: 3 }), async (plans) => {
        const { events, snapshot } = await runThread(plans);
        expect(lifecycleViolations(events, { finished: true })).toEqual([]);
        expect(snapshot.value).toBe('ready');
        expect(events.filter((event) => event.method === 'turn/completed')).toHaveLength(plans.length);
      }),
      { numRuns: 60 },
    );
  });

  it('an interrupt while a command streams kills it and ends the turn interrupted', async () => {
    const plan: TurnPlan = {
      rounds: [{ text: null, calls: [{ verdict: 'run', chunks: 3, exitCode: 0 }] }, { text: 'done', calls: [] }],
      decisions: [],
      interruptAfter: 7,
    };
    const { events } = await runThread([plan]);
    expect(lastTurnStatus(events)).toBe('interrupted');
    const item = events.find((event) => event.method === 'item/completed' && event.params.item.type === 'commandExecution');
    expect(item?.method === 'item/completed' && item.params.item.type === 'commandExecution' && item.params.item.status).toBe('failed');
  });

  it('cancel at an approval ends the turn interrupted; acceptForSession is not asked again in the thread', async () => {
    const ask = { verdict: 'ask' as const, chunks: 1, exitCode: 0 };
    const cancelled = await runThread([{ rounds: [{ text: null, calls: [ask] }, { text: 'x', calls: [] }], decisions: ['cancel'], interruptAfter: null }]);
    expect(lastTurnStatus(cancelled.events)).toBe('interrupted');
    const remembered = await runThread([
      { rounds: [{ text: null, calls: [ask] }, { text: 'x', calls: [] }], decisions: ['acceptForSession'], interruptAfter: null },
      { rounds: [{ text: null, calls: [ask] }, { text: 'y', calls: [] }], decisions: [], interruptAfter: null },
    ]);
    expect(remembered.events.filter((event) => event.method === 'item/commandExecution/requestApproval')).toHaveLength(1);
    expect(lastTurnStatus(remembered.events)).toBe('completed');
  });
});
