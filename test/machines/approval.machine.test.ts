import { describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { approvalMachine, RISK_ASSESSMENT_TIMEOUT_MS, type ApprovalEvent, type ApprovalInput } from '../../machines/index.js';
import type { ApprovalRequest, CommandRisk, ProtocolEvent, ThreadSettings } from '../../protocol/index.js';
import { settingsFixture } from './fixtures.js';
import { replayPure } from './harness.js';

const commandRequest: ApprovalRequest = {
  method: 'item/commandExecution/requestApproval',
  params: {
    kind: 'command',
    threadId: 'th',
    turnId: 'tu',
    itemId: 'call_1',
    startedAtMs: 1,
    environmentId: 'local',
    reason: 'needs the network',
    command: "/bin/bash -lc 'curl example.com'",
    cwd: '/ws',
    commandActions: [{ type: 'unknown', command: 'curl example.com' }],
    proposedExecpolicyAmendment: null,
    availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'],
    risk: null,
  },
};
const fileRequest: ApprovalRequest = {
  method: 'item/fileChange/requestApproval',
  params: { threadId: 'th', turnId: 'tu', itemId: 'call_2', startedAtMs: 1, reason: null, grantRoot: '/outside' },
};
const risk: CommandRisk = { description: 'downloads a page', riskLevel: 'low', riskCategories: ['network access'] };

type GraphEvent = ApprovalEvent | { type: string; [key: string]: unknown };
const events: GraphEvent[] = [
  { type: 'decide', decision: 'accept' },
  { type: 'decide', decision: 'acceptForSession' },
  { type: 'decide', decision: 'decline' },
  { type: 'decide', decision: 'cancel' },
  { type: 'decide', decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['curl'] } } },
  { type: 'abandon' },
  { type: 'xstate.done.actor.assessRisk', output: risk },
  { type: 'xstate.error.actor.assessRisk', error: new Error('model unavailable') },
  { type: 'xstate.after.assessmentTimeout.approval.assessing' },
];

const inputs: Array<[string, ApprovalInput]> = [
  ['command, no assessment', { threadId: 'th', approvalId: 'a1', request: commandRequest, assessWith: null }],
  ['command, with assessment', { threadId: 'th', approvalId: 'a1', request: commandRequest, assessWith: settingsFixture() }],
  ['file change', { threadId: 'th', approvalId: 'a1', request: fileRequest, assessWith: settingsFixture() }],
];

const methods = (emitted: ProtocolEvent[]) => emitted.map((event) => event.method);

describe('approval machine, every simple path', () => {
  for (const [name, input] of inputs) {
    it(`${name}: a request is resolved exactly once, after it was asked, and only then is the machine done`, () => {
      const paths = getSimplePaths(approvalMachine, { input, events: events as ApprovalEvent[] });
      expect(paths.length).toBeGreaterThan(3);
      for (const path of paths) {
        const pathEvents = path.steps.slice(1).map((step) => step.event);
        const { snapshot, emitted, perStep } = replayPure(approvalMachine, input, pathEvents);
        const asked = emitted.filter((event) => event.method === input.request.method);
        const resolved = emitted.filter((event) => event.method === 'serverRequest/resolved');
        const label = pathEvents.map((event) => event.type).join(' > ');
        expect(asked.length, label).toBeLessThanOrEqual(1);
        expect(resolved.length, label).toBeLessThanOrEqual(asked.length);
        if (resolved.length > 0) expect(methods(emitted), label).toEqual([input.request.method, 'serverRequest/resolved']);
        if (snapshot.status === 'done') {
          // done after asking means resolved; done without asking means the turn gave up first
          expect(resolved.length, label).toBe(asked.length);
          if (asked.length === 0) expect(snapshot.output?.abandoned, label).toBe(true);
        }
        // what each transition emits: entering "asking" asks, entering "resolved" resolves
        path.steps.forEach((step, index) => {
          const emittedHere = methods(perStep[index] ?? []);
          const previous = index > 0 ? path.steps[index - 1]!.state : null;
          if (step.state.matches('asking') && !previous?.matches('asking')) expect(emittedHere).toEqual([input.request.method]);
          if (step.state.matches('resolved') && !previous?.matches('resolved')) {
            expect(emittedHere.at(-1)).toBe('serverRequest/resolved');
          }
        });
      }
    });
  }

  it('a decision the request did not offer counts as decline', () => {
    const input = {
      ...inputs[0]![1],
      request: { ...commandRequest, params: { ...commandRequest.params, availableDecisions: ['accept', 'decline'] } },
    } as ApprovalInput;
    const { snapshot } = replayPure(approvalMachine, input, [{ type: 'decide', decision: 'acceptForSession' }]);
    expect(snapshot.output).toEqual({ decision: 'decline', content: null, abandoned: false });
  });

  it('an amendment counts only with the very prefix offered; any other is a decline', () => {
    const offered = { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch'] } };
    const request = {
      ...commandRequest,
      params: { ...commandRequest.params, proposedExecpolicyAmendment: ['touch'], availableDecisions: ['accept', offered, 'decline'] },
    };
    const input = { ...inputs[0]![1], request } as ApprovalInput;
    const answer = (words: string[]) =>
      replayPure(approvalMachine, input, [{ type: 'decide', decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: words } } }]).snapshot.output;
    expect(answer(['touch'])).toEqual({ decision: offered, content: null, abandoned: false });
    for (const forged of [['bash'], ['touch', 'x'], [], ['Touch']])
      expect(answer(forged), JSON.stringify(forged)).toEqual({ decision: 'decline', content: null, abandoned: false });
  });

  it('the risk assessment rides in the request when it arrives in time', () => {
    const { emitted } = replayPure(approvalMachine, inputs[1]![1], [{ type: 'xstate.done.actor.assessRisk', output: risk } as never]);
    const request = emitted[0];
    expect(request?.method === 'item/commandExecution/requestApproval' && request.params.risk).toEqual(risk);
  });
});

describe('approval machine, running', () => {
  it('asks without a risk once the assessment exceeds its bound', async () => {
    vi.useFakeTimers();
    try {
      const never = fromPromise<CommandRisk | null, { request: ApprovalRequest; settings: ThreadSettings }>(() => new Promise(() => {}));
      const actor = createActor(approvalMachine.provide({ actors: { assessRisk: never } }), { input: inputs[1]![1] });
      const seen: ProtocolEvent[] = [];
      actor.on('protocol', ({ event }) => seen.push(event));
      actor.start();
      expect(seen).toEqual([]);
      await vi.advanceTimersByTimeAsync(RISK_ASSESSMENT_TIMEOUT_MS - 1);
      expect(seen).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(seen.map((event) => event.method)).toEqual(['item/commandExecution/requestApproval']);
      expect(seen[0]?.method === 'item/commandExecution/requestApproval' && seen[0].params.risk).toBeNull();
      actor.send({ type: 'decide', decision: 'accept' });
      expect(actor.getSnapshot().output).toEqual({ decision: 'accept', content: null, abandoned: false });
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks without a risk when the assessment fails', async () => {
    const failing = fromPromise<CommandRisk | null, { request: ApprovalRequest; settings: ThreadSettings }>(async () => {
      throw new Error('no model');
    });
    const actor = createActor(approvalMachine.provide({ actors: { assessRisk: failing } }), { input: inputs[1]![1] });
    const seen: ProtocolEvent[] = [];
    actor.on('protocol', ({ event }) => seen.push(event));
    actor.start();
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]?.method === 'item/commandExecution/requestApproval' && seen[0].params.risk).toBeNull();
  });
});
