import { assign, enqueueActions, sendTo, setup, stopChild, type DoneActorEvent } from 'xstate';
import type { ApprovalDecision, McpToolCallItem, ResponseItem } from '../protocol/index.js';
import { approvalMachine, type ApprovalOutput } from './approval.machine.js';
import { ABORTED, approvalIdFor, isAccept, tell, type CallContextInput, type CallFact, type CallResult, type McpCall, type McpOutcome } from './calls.js';
import { itemCompleted, itemStarted, mcpApprovalRequest, mcpToolCallItem } from './events.js';
import { publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { promiseActor } from './unprovided.js';

export interface McpCallInput extends CallContextInput {
  prepared: McpCall;
}

export interface McpToolInput {
  callId: string;
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
}

export type McpCallEvent = { type: 'interrupt' } | DoneActorEvent<ApprovalOutput, 'approval'> | RelayEvent;

interface McpCallContext extends McpCallInput {
  item: McpToolCallItem | null;
  modelOutput: string;
  items: ResponseItem[];
  cancelTurn: boolean;
  grants: string[];
}

export const MCP_REJECTED = 'the user declined this MCP tool call';
const CANCELLED_BY_USER = 'the MCP tool call was cancelled by the user; the turn has ended.';

const approvalIdOf = (context: McpCallContext) => approvalIdFor(context.turnId, context.call.callId, false);

/**
 * Whether the user is asked before an MCP tool runs: never for a tool the server marks
 * read-only, nor for one accepted for the session; otherwise as the approval policy says
 * (`untrusted` and `on-request` ask; `on-failure` and `never` run it).
 */
const mustAsk = (context: McpCallContext): boolean =>
  !context.prepared.readOnly &&
  !context.sessionGrants.includes(context.prepared.grantKey) &&
  (context.settings.approvalPolicy === 'untrusted' || context.settings.approvalPolicy === 'on-request');

/**
 * One call of an MCP server's tool: item started → (approval) → the server called → item
 * completed with its result or error and duration. The item completes exactly once on every path.
 */
export const mcpCallMachine = setup({
  types: {
    input: {} as McpCallInput,
    output: {} as CallResult,
    context: {} as McpCallContext,
    events: {} as McpCallEvent,
    emitted: {} as ProtocolEmitted | CallFact,
  },
  actors: {
    approval: approvalMachine,
    /** Calls the tool on its server, bounded by the server's tool timeout. */
    callMcpTool: promiseActor<McpOutcome, McpToolInput>('callMcpTool'),
  },
  guards: {
    mustAsk: ({ context }) => mustAsk(context),
    approvalAbandoned: (_, output: ApprovalOutput) => output.abandoned,
    approvalAccepted: (_, output: ApprovalOutput) => isAccept(output.decision),
    approvalCancelled: (_, output: ApprovalOutput) => output.decision === 'cancel',
  },
  actions: {
    setModelOutput: assign({ modelOutput: (_, text: string) => text }),
    rememberGrant: assign({
      grants: ({ context }, decision: ApprovalDecision) => (decision === 'acceptForSession' ? [...context.grants, context.prepared.grantKey] : context.grants),
    }),
    markCancelled: assign({ cancelTurn: true }),
    startItem: enqueueActions(({ context, enqueue, self }) => {
      const at = context.clock.nowMs();
      const { server, tool, arguments: args } = context.prepared;
      const item = mcpToolCallItem(context.call.callId, server, tool, args, at);
      enqueue.assign({ item });
      tell(enqueue, self, { type: 'call.itemStarted', item });
      publish(enqueue, self, itemStarted(context, item, at));
    }),
    announceWait: enqueueActions(({ context, enqueue, self }) => tell(enqueue, self, { type: 'call.awaitingApproval', approvalId: approvalIdOf(context) })),
    settleWait: enqueueActions(({ context, enqueue, self }) => tell(enqueue, self, { type: 'call.approvalSettled', approvalId: approvalIdOf(context) })),
    ask: enqueueActions(({ context, enqueue }) => {
      const approvalId = approvalIdOf(context);
      const request = mcpApprovalRequest(
        { ref: context, itemId: context.call.callId, startedAtMs: context.item?.startedAtMs ?? context.clock.nowMs() },
        context.prepared,
        context.settings.cwd,
      );
      // Registered under its approval id, so the client's decision reaches it directly.
      enqueue.spawnChild('approval', { id: 'approval', systemId: approvalId, input: { threadId: context.threadId, approvalId, request, assessWith: null } });
    }),
    /** Completes the item: with the server's result, or failed with the reason (which the model reads too). */
    completeItem: enqueueActions(({ context, enqueue, self }, outcome: McpOutcome) => {
      if (!context.item) return;
      const at = context.clock.nowMs();
      const item: McpToolCallItem = {
        ...context.item,
        status: outcome.error === null ? 'completed' : 'failed',
        result: outcome.result,
        error: outcome.error === null ? null : { message: outcome.error },
        durationMs: Math.max(0, Math.round(at - (context.item.startedAtMs ?? at))),
        completedAtMs: at,
      };
      enqueue.assign({ item, items: outcome.items, modelOutput: outcome.error ?? context.modelOutput });
      tell(enqueue, self, { type: 'call.itemCompleted', itemId: item.id });
      publish(enqueue, self, itemCompleted(context, item, at));
    }),
    forward: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, ...event.events);
    }),
  },
}).createMachine({
  id: 'mcpCall',
  context: ({ input }) => ({ ...input, item: null, modelOutput: '', items: [], cancelTurn: false, grants: [] }),
  on: { relay: { actions: 'forward' } },
  initial: 'deciding',
  states: {
    /** The item shows what will be called before anything is asked or called. */
    deciding: {
      entry: 'startItem',
      always: [{ guard: 'mustAsk', target: 'awaitingApproval', actions: 'announceWait' }, { target: 'calling' }],
    },
    /** The user is asked; the approval actor publishes the request and its resolution. */
    awaitingApproval: {
      entry: 'ask',
      exit: stopChild('approval'),
      on: {
        interrupt: { actions: sendTo('approval', { type: 'abandon' }) },
        'xstate.done.actor.approval': [
          {
            guard: { type: 'approvalAbandoned', params: ({ event }) => event.output },
            target: 'done',
            actions: [{ type: 'completeItem', params: { result: null, error: ABORTED, items: [] } }, 'settleWait'],
          },
          {
            guard: { type: 'approvalAccepted', params: ({ event }) => event.output },
            target: 'calling',
            actions: ['settleWait', { type: 'rememberGrant', params: ({ event }) => event.output.decision }],
          },
          {
            guard: { type: 'approvalCancelled', params: ({ event }) => event.output },
            target: 'done',
            actions: [{ type: 'completeItem', params: { result: null, error: CANCELLED_BY_USER, items: [] } }, 'markCancelled', 'settleWait'],
          },
          { target: 'done', actions: [{ type: 'completeItem', params: { result: null, error: MCP_REJECTED, items: [] } }, 'settleWait'] },
        ],
      },
    },
    /** The server runs the tool; an interrupt stops waiting for it. */
    calling: {
      invoke: {
        id: 'callMcpTool',
        src: 'callMcpTool',
        input: ({ context }) => ({
          callId: context.call.callId,
          server: context.prepared.server,
          tool: context.prepared.tool,
          arguments: context.prepared.arguments,
        }),
        onDone: { target: 'done', actions: { type: 'completeItem', params: ({ event }) => event.output } },
        onError: {
          target: 'done',
          actions: { type: 'completeItem', params: ({ event }) => ({ result: null, error: `MCP tool call failed: ${String(event.error)}`, items: [] }) },
        },
      },
      on: { interrupt: { target: 'done', actions: { type: 'completeItem', params: { result: null, error: ABORTED, items: [] } } } },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({
    modelOutput: context.modelOutput,
    cancelTurn: context.cancelTurn,
    grants: context.grants,
    ...(context.items.length > 0 ? { items: context.items } : {}),
  }),
});
