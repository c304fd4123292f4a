import { assign, enqueueActions, setup } from 'xstate';
import {
  ElicitationAction,
  PlainApprovalDecision,
  type ApprovalDecision,
  type ApprovalRequest,
  type CommandRisk,
  type ElicitationContent,
  type ThreadSettings,
} from '../protocol/index.js';
import { approvalRequested, approvalResolved } from './events.js';
import { publish, type ProtocolEmitted } from './publish.js';
import { promiseActor } from './unprovided.js';

export interface ApprovalInput {
  threadId: string;
  approvalId: string;
  request: ApprovalRequest;
  /** The settings to ask the model for a risk assessment with, before asking the user (experimental); null asks no model. */
  assessWith: ThreadSettings | null;
}

export interface ApprovalOutput {
  decision: ApprovalDecision;
  /** What the user filled in when accepting an MCP server's form; null otherwise. */
  content: ElicitationContent | null;
  /** The turn ended before the user answered. */
  abandoned: boolean;
}

export type ApprovalEvent = { type: 'decide'; decision: ApprovalDecision; content?: ElicitationContent | null } | { type: 'abandon' };

interface ApprovalContext extends ApprovalInput {
  risk: CommandRisk | null;
  decision: ApprovalDecision | null;
  content: ElicitationContent | null;
  abandoned: boolean;
}

/** How long the optional risk assessment may delay the question. */
export const RISK_ASSESSMENT_TIMEOUT_MS = 5_000;

/** Whether two decisions are the same answer; an amendment is the same only with the very same words. */
const sameDecision = (a: ApprovalDecision, b: ApprovalDecision): boolean => {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const [x, y] = [a.acceptWithExecpolicyAmendment.execpolicy_amendment, b.acceptWithExecpolicyAmendment.execpolicy_amendment];
  return x.length === y.length && x.every((word, i) => word === y[i]);
};

/**
 * Whether the request offered this decision. A command request offers its own list, where an
 * amendment names the one prefix proposed; a client answering with another prefix would
 * otherwise have statecraft store any allow rule it likes. A file-change request offers the
 * fixed set; an MCP server's question is accepted, declined or cancelled.
 */
const offers = (request: ApprovalRequest, decision: ApprovalDecision): boolean => {
  switch (request.method) {
    case 'item/commandExecution/requestApproval':
      return request.params.availableDecisions.some((offered) => sameDecision(offered, decision));
    case 'item/fileChange/requestApproval':
      return PlainApprovalDecision.options.some((offered) => offered === decision);
    case 'mcpServer/elicitation/request':
      return ElicitationAction.options.some((offered) => offered === decision);
  }
};

/**
 * One question to the user: optionally assess the risk (bounded), ask, and wait for the
 * decision or for the turn to give up. The request and its `serverRequest/resolved` are
 * published from here, so a request is always resolved once it was asked.
 */
export const approvalMachine = setup({
  types: {
    input: {} as ApprovalInput,
    output: {} as ApprovalOutput,
    context: {} as ApprovalContext,
    events: {} as ApprovalEvent,
    emitted: {} as ProtocolEmitted,
  },
  actors: {
    assessRisk: promiseActor<CommandRisk | null, { request: ApprovalRequest; settings: ThreadSettings }>('assessRisk'),
  },
  delays: {
    assessmentTimeout: RISK_ASSESSMENT_TIMEOUT_MS,
  },
  guards: {
    shouldAssess: ({ context }) => context.assessWith !== null && context.request.method === 'item/commandExecution/requestApproval',
    isOffered: ({ context, event }) => event.type === 'decide' && offers(context.request, event.decision),
  },
  actions: {
    recordRisk: assign({ risk: (_, risk: CommandRisk | null) => risk }),
    recordDecision: assign({
      decision: ({ event }) => (event.type === 'decide' ? event.decision : null),
      // A form's fields travel only with an accepted MCP question.
      content: ({ context, event }) =>
        event.type === 'decide' && event.decision === 'accept' && context.request.method === 'mcpServer/elicitation/request' ? (event.content ?? null) : null,
    }),
    /** A decision the request did not offer (a forged amendment included) is treated as the safe answer. */
    recordDecline: assign({ decision: 'decline' as const }),
    recordAbandon: assign({ decision: 'cancel' as const, abandoned: true }),
    publishRequest: enqueueActions(({ context, enqueue, self }) =>
      publish(enqueue, self, approvalRequested(context.approvalId, context.request, context.risk)),
    ),
    publishResolved: enqueueActions(({ context, enqueue, self }) => publish(enqueue, self, approvalResolved(context.threadId, context.approvalId))),
  },
}).createMachine({
  id: 'approval',
  context: ({ input }) => ({ ...input, risk: null, decision: null, content: null, abandoned: false }),
  initial: 'starting',
  states: {
    starting: {
      always: [{ guard: 'shouldAssess', target: 'assessing' }, { target: 'asking' }],
    },
    /** The model reads the command; the user is asked either way once this ends or times out. */
    assessing: {
      invoke: {
        id: 'assessRisk',
        src: 'assessRisk',
        input: ({ context }) => ({ request: context.request, settings: context.assessWith! }),
        onDone: { target: 'asking', actions: { type: 'recordRisk', params: ({ event }) => event.output } },
        onError: { target: 'asking' },
      },
      after: { assessmentTimeout: { target: 'asking' } },
      on: { abandon: { target: 'abandoned', actions: 'recordAbandon' } },
    },
    /** The request is out; waiting for the user's decision. */
    asking: {
      entry: 'publishRequest',
      on: {
        decide: [
          { guard: 'isOffered', target: 'resolved', actions: 'recordDecision' },
          { target: 'resolved', actions: 'recordDecline' },
        ],
        abandon: { target: 'resolved', actions: 'recordAbandon' },
      },
    },
    resolved: {
      entry: 'publishResolved',
      type: 'final',
    },
    /** Given up before anything was asked: nothing to resolve. */
    abandoned: { type: 'final' },
  },
  output: ({ context }) => ({ decision: context.decision ?? 'cancel', content: context.content, abandoned: context.abandoned }),
});
