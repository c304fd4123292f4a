import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import {
  approvalMachine,
  execCallMachine,
  patchCallMachine,
  sessionMachine,
  toolCallMachine,
  turnDiffMachine,
  turnMachine,
  type ConfiguredThread,
  type ExecActorInput,
  type MeasureInput,
  type ModelActorInput,
  type CompactInput,
  type CompactionResult,
  type PatchOutcome,
  type PolicyCheckInput,
  type PolicyVerdict,
  type PreparedCall,
  type PreparedTurn,
  type ToolCallRequest,
  toModelEvent,
} from '../../machines/index.js';
import type {
  ApprovalDecision,
  ApprovalRequest,
  CommandRisk,
  ModelStreamEvent,
  PatchRun,
  ProtocolEvent,
  ResponseItem,
  ThreadSettings,
  TurnDiffBase,
  UserInput,
} from '../../protocol/index.js';
import { patchCall, spec } from './calls.fixture.js';
import { settingsFixture, threadFixture } from './fixtures.js';
import { lastTurnStatus, lifecycleViolations } from './invariants.js';

/** A call the stubs understand: a command (what the policy decides, how the process behaves) or a patch. */
type Verdict = 'run' | 'escalate' | 'ask' | 'refuse';
interface ScriptedCall {
  tool: 'exec' | 'patch';
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
  /** The model rates each escalation's risk before the user is asked. */
  assessRisk?: boolean;
  /** Input tokens the first response reports (past the compaction limit of 1000, the turn compacts before its next request). */
  inputTokens?: number;
  /** The turn's first request is refused as too long (the turn compacts and retries). */
  refuseFirst?: boolean;
  /** The turn only compacts (thread/compact/start). */
  compactOnly?: boolean;
}

const SUMMARY = 'handoff summary';
const summarised = (input: ResponseItem[]) => JSON.stringify(input).includes(SUMMARY);

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The whole actor tree (session → turn → tool calls → approvals) with I/O replaced by
 * stubs that behave like the real actors (asynchronous, streaming, killable).
 */
function buildSession(plans: TurnPlan[]) {
  let request = 0;
  let turnIndex = -1;
  let refused = -1;
  const model = fromCallback<{ type: string }, ModelActorInput>(({ sendBack, input }) => {
    request += 1;
    const plan = plans[turnIndex]!;
    // After tool outputs or a summary the model gives its last round.
    const roundIndex =
      summarised(input.input) || input.input.some((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output') ? 1 : 0;
    const round = plan.rounds[Math.min(roundIndex, plan.rounds.length - 1)]!;
    const events: ModelStreamEvent[] = [];
    if (plan.refuseFirst && refused !== turnIndex) {
      refused = turnIndex;
      events.push({ type: 'failed', error: { message: 'too long', codexErrorInfo: 'contextWindowExceeded', additionalDetails: null } });
    } else {
      if (round.text !== null) {
        const id = `msg_${request}`;
        events.push({ type: 'outputItemAdded', itemType: 'message', itemId: id });
        for (const word of round.text.split(' ')) events.push({ type: 'outputTextDelta', itemId: id, delta: `${word} ` });
        events.push({ type: 'outputItemDone', item: { type: 'message', id, role: 'assistant', content: [{ type: 'output_text', text: round.text }] } });
      }
      round.calls.forEach((call, index) => {
        const id = `call_${request}_${index}`;
        events.push({
          type: 'outputItemDone',
          item:
            call.tool === 'patch'
              ? { type: 'custom_tool_call', id: `ct_${request}_${index}`, call_id: id, name: 'apply_patch', input: JSON.stringify(call) }
              : { type: 'function_call', id: `fc_${request}_${index}`, call_id: id, name: 'exec_command', arguments: JSON.stringify(call) },
        });
      });
      const inputTokens = roundIndex === 0 ? (plan.inputTokens ?? 10) : 10;
      events.push({
        type: 'completed',
        responseId: `r${request}`,
        usage: { totalTokens: inputTokens + 5, inputTokens, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 },
      });
    }
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
    // The scripted call rides in the command (or the patch's cwd), where the stub actors read it back.
    if (call.tool === 'patch') return { ...patchCall, run: { ...patchCall.run, cwd: JSON.stringify(call) }, grantKey: `patch:${call.verdict}` };
    return {
      kind: 'exec',
      view: { command: `/bin/bash -lc '${call.verdict}'`, cwd: '/ws', commandActions: [] },
      run: { kind: 'spawn', spec: { ...spec, command: JSON.stringify(call) } },
      escalationRequested: call.verdict === 'ask',
      justification: null,
      grantKey: `cmd:${call.verdict}`,
    };
  });
  const scripted = (prepared: PolicyCheckInput['prepared']): ScriptedCall =>
    JSON.parse(prepared.kind === 'patch' ? prepared.run.cwd : prepared.run.kind === 'spawn' ? prepared.run.spec.command : '{}');
  const checkPolicy = fromPromise<PolicyVerdict, PolicyCheckInput>(async ({ input }) => {
    const call = scripted(input.prepared);
    if (call.verdict === 'refuse') return { decision: 'refuse', message: 'refused' };
    if (call.verdict === 'ask' && !input.sessionGrants.includes(input.prepared.grantKey)) {
      return {
        decision: 'ask',
        reason: 'wants out',
        proposedAmendment: null,
        availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'],
        modeAfterApproval: 'escalated',
      };
    }
    return { decision: 'run', mode: call.verdict === 'escalate' ? 'escalated' : 'sandboxed' };
  });
  const applyPatch = fromPromise<PatchOutcome, { run: PatchRun }>(async ({ input }) => {
    await tick();
    const call = JSON.parse(input.run.cwd) as ScriptedCall;
    return call.exitCode === 0 ? { status: 'completed', modelOutput: 'Success.' } : { status: 'failed', modelOutput: 'context not found' };
  });
  // The model's risk rating, slower than a tick, as a real request would be.
  const assessRisk = fromPromise<CommandRisk | null, { request: ApprovalRequest; settings: ThreadSettings }>(async () => {
    await tick();
    await tick();
    return { description: 'writes outside the workspace', riskLevel: 'medium', riskCategories: ['data modification'] };
  });
  let measured = 0;
  const turnDiff = turnDiffMachine.provide({
    actors: {
      beginDiff: fromPromise<TurnDiffBase | null, { cwd: string }>(async () => null),
      measureDiff: fromPromise<string | null, MeasureInput>(async () => {
        await tick();
        measured += 1;
        return `diff ${measured}\n`;
      }),
      disposeDiff: fromPromise(async () => {}),
    },
  });
  const exec = fromCallback<{ type: 'kill' }, ExecActorInput>(({ sendBack, receive, input }) => {
    const call = JSON.parse(input.run.kind === 'spawn' ? input.run.spec.command : '{}') as ScriptedCall;
    let finished = false;
    const finish = (interrupted: boolean) => {
      if (finished) return;
      finished = true;
      sendBack({
        type: 'exec.finished',
        outcome: {
          exitCode: interrupted ? null : call.exitCode,
          stillRunning: false,
          interrupted,
          failedToRun: false,
          processId: '7',
          aggregatedOutput: 'out',
          durationMs: 1,
          modelOutput: `Exit code: ${call.exitCode}`,
          sandboxDenial: null,
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

  const approval = approvalMachine.provide({ actors: { assessRisk } });
  const toolCall = toolCallMachine.provide({
    actors: {
      prepareCall,
      execCall: execCallMachine.provide({ actors: { checkPolicy, exec, approval, amendPolicy: fromPromise(async () => {}) } }),
      patchCall: patchCallMachine.provide({ actors: { checkPolicy, approval, applyPatch } }),
    },
  });
  const turn = turnMachine.provide({
    actors: {
      model,
      toolCall,
      prepareTurn: fromPromise<PreparedTurn, { settings: ThreadSettings; history: ResponseItem[]; userInput: UserInput[] }>(async () => ({
        contextItems: [],
        userItem: { type: 'message', role: 'user', content: [] } as ResponseItem,
      })),
      stopProcesses: fromPromise(async () => {}),
      compact: fromPromise<CompactionResult, CompactInput>(async () => {
        await tick();
        return {
          summary: SUMMARY,
          history: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: SUMMARY }] }],
          usage: { totalTokens: 20, inputTokens: 15, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 },
        };
      }),
    },
  });
  const configured: ConfiguredThread = {
    settings: settingsFixture({ features: { sandbox_command_assessment: plans.some((plan) => plan.assessRisk) }, autoCompactTokenLimit: 1000 }),
    thread: threadFixture({ reasoningEffort: null }),
  };
  const session = sessionMachine.provide({
    actors: {
      turn,
      turnDiff,
      configure: fromPromise(async () => configured),
      reapProcesses: fromPromise(async () => {}),
      shutdown: fromPromise(async () => {}),
    },
  });
  return { session, nextTurn: () => (turnIndex += 1) };
}

const callArb = fc.record({
  tool: fc.constantFrom<ScriptedCall['tool']>('exec', 'exec', 'patch'),
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
  assessRisk: fc.boolean(),
  inputTokens: fc.constantFrom(10, 10, 5000),
  refuseFirst: fc.constantFrom(false, false, true),
  compactOnly: fc.constantFrom(false, false, false, true),
});

async function runThread(plans: TurnPlan[]) {
  const { session, nextTurn } = buildSession(plans);
  const actor = createActor(session, { input: { threadId: 'th', overrides: {}, resumed: null, clock: { nowMs: () => Date.now() } } });
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
        if (event.method === 'item/commandExecution/requestApproval' || event.method === 'item/fileChange/requestApproval') {
          const decision = decisions.shift() ?? 'accept';
          setTimeout(() => actor.send({ type: 'approval.decide', approvalId: event.approvalId, decision }), 0);
        }
        if (event.method === 'turn/completed') resolve();
      };
    });
    if (plan.compactOnly) actor.send({ type: 'compact.start', turnId: `turn-${index}` });
    else {
      actor.send({
        type: 'turn.start',
        turnId: `turn-${index}`,
        userMessageId: `user-${index}`,
        input: [{ type: 'text', text: 'go', text_elements: [] }],
        overrides: {},
      });
    }
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
        // A change is reported after the item that made it, and only while its turn runs.
        events.forEach((event, index) => {
          if (event.method === 'turn/diff/updated') expect(events.slice(0, index).some((earlier) => earlier.method === 'item/completed')).toBe(true);
        });
        expect(events.filter((event) => event.method === 'turn/completed')).toHaveLength(plans.length);
      }),
      { numRuns: 60 },
    );
  });

  it('an interrupt while a command streams kills it and ends the turn interrupted', async () => {
    const plan: TurnPlan = {
      rounds: [
        { text: null, calls: [{ tool: 'exec', verdict: 'run', chunks: 3, exitCode: 0 }] },
        { text: 'done', calls: [] },
      ],
      decisions: [],
      interruptAfter: 7,
    };
    const { events } = await runThread([plan]);
    expect(lastTurnStatus(events)).toBe('interrupted');
    const item = events.find((event) => event.method === 'item/completed' && event.params.item.type === 'commandExecution');
    expect(item?.method === 'item/completed' && item.params.item.type === 'commandExecution' && item.params.item.status).toBe('failed');
  });

  it('cancel at an approval ends the turn interrupted; acceptForSession is not asked again in the thread', async () => {
    const ask = { tool: 'exec' as const, verdict: 'ask' as const, chunks: 1, exitCode: 0 };
    const cancelled = await runThread([
      {
        rounds: [
          { text: null, calls: [ask] },
          { text: 'x', calls: [] },
        ],
        decisions: ['cancel'],
        interruptAfter: null,
      },
    ]);
    expect(lastTurnStatus(cancelled.events)).toBe('interrupted');
    const remembered = await runThread([
      {
        rounds: [
          { text: null, calls: [ask] },
          { text: 'x', calls: [] },
        ],
        decisions: ['acceptForSession'],
        interruptAfter: null,
      },
      {
        rounds: [
          { text: null, calls: [ask] },
          { text: 'y', calls: [] },
        ],
        decisions: [],
        interruptAfter: null,
      },
    ]);
    expect(remembered.events.filter((event) => event.method === 'item/commandExecution/requestApproval')).toHaveLength(1);
    expect(lastTurnStatus(remembered.events)).toBe('completed');
  });
});

describe('the whole actor tree: compaction', () => {
  const isCompaction = (event: ProtocolEvent) =>
    (event.method === 'item/started' || event.method === 'item/completed') && event.params.item.type === 'contextCompaction';

  it('a turn past the limit, one refused for length and one asked to compact each compact once, between requests, and complete', async () => {
    const run = { tool: 'exec' as const, verdict: 'run' as const, chunks: 1, exitCode: 0 };
    const rounds = [
      { text: null, calls: [run] },
      { text: 'done', calls: [] },
    ];
    const { events, snapshot } = await runThread([
      { rounds, decisions: [], interruptAfter: null, inputTokens: 5000 },
      { rounds, decisions: [], interruptAfter: null, refuseFirst: true },
      { rounds, decisions: [], interruptAfter: null, compactOnly: true },
    ]);
    expect(lifecycleViolations(events, { finished: true })).toEqual([]);
    expect(snapshot.value).toBe('ready');
    const completions = events.filter((event) => event.method === 'turn/completed');
    expect(completions.map((event) => event.method === 'turn/completed' && event.params.turn.status)).toEqual(['completed', 'completed', 'completed']);
    for (const turnId of ['turn-0', 'turn-1', 'turn-2']) {
      const ofTurn = events.filter((event) => (event.params as { turnId?: string }).turnId === turnId);
      expect(ofTurn.filter(isCompaction).map((event) => event.method)).toEqual(['item/started', 'item/completed']);
      expect(ofTurn.filter((event) => event.method === 'thread/compacted')).toHaveLength(1);
    }
    // The first turn compacted after its command ran, before the model saw the output.
    const first = events.filter((event) => (event.params as { turnId?: string }).turnId === 'turn-0');
    const command = first.findIndex((event) => event.method === 'item/completed' && event.params.item.type === 'commandExecution');
    expect(first.findIndex(isCompaction)).toBeGreaterThan(command);
    expect(snapshot.context.history).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: SUMMARY }] }]);
  });
});

describe('the whole actor tree: approvals by their address, patches, risk and the turn diff', () => {
  it('a decision reaches the approval actor registered under its id, and an unknown id changes nothing', async () => {
    const ask = { tool: 'exec' as const, verdict: 'ask' as const, chunks: 0, exitCode: 0 };
    const { events } = await runThread([
      {
        rounds: [
          { text: null, calls: [ask] },
          { text: 'x', calls: [] },
        ],
        decisions: ['decline'],
        interruptAfter: null,
      },
    ]);
    const request = events.find((event) => event.method === 'item/commandExecution/requestApproval');
    const resolved = events.find((event) => event.method === 'serverRequest/resolved');
    expect(
      resolved?.method === 'serverRequest/resolved' &&
        request?.method === 'item/commandExecution/requestApproval' &&
        resolved.approvalId === request.approvalId,
    ).toBe(true);
    const item = events.find((event) => event.method === 'item/completed' && event.params.item.type === 'commandExecution');
    expect(item?.method === 'item/completed' && item.params.item.type === 'commandExecution' && item.params.item.status).toBe('declined');
  });

  it('an asked patch waits for the user, is written once accepted, and the turn diff follows its item', async () => {
    const patch = { tool: 'patch' as const, verdict: 'ask' as const, chunks: 0, exitCode: 0 };
    const { events } = await runThread([
      {
        rounds: [
          { text: null, calls: [patch] },
          { text: 'x', calls: [] },
        ],
        decisions: ['accept'],
        interruptAfter: null,
      },
    ]);
    const methods = events.map((event) => event.method);
    expect(methods.indexOf('item/fileChange/requestApproval')).toBeGreaterThan(methods.indexOf('item/started'));
    const completed = events.findIndex((event) => event.method === 'item/completed' && event.params.item.type === 'fileChange');
    expect(events[completed]).toMatchObject({ params: { item: { status: 'completed' } } });
    expect(events[completed + 1]).toMatchObject({ method: 'turn/diff/updated', params: { diff: expect.stringMatching(/^diff \d+/) } });
    expect(lastTurnStatus(events)).toBe('completed');
  });

  it("with risk assessment on, the question carries the model's rating", async () => {
    const ask = { tool: 'exec' as const, verdict: 'ask' as const, chunks: 0, exitCode: 0 };
    const { events } = await runThread([
      {
        rounds: [
          { text: null, calls: [ask] },
          { text: 'x', calls: [] },
        ],
        decisions: ['accept'],
        interruptAfter: null,
        assessRisk: true,
      },
    ]);
    const request = events.find((event) => event.method === 'item/commandExecution/requestApproval');
    expect(request).toMatchObject({ params: { risk: { riskLevel: 'medium' } } });
  });
});
