import { assign, enqueueActions, sendTo, setup, type DoneActorEvent } from 'xstate';
import type { ResponseItem } from '../protocol/index.js';
import {
  ABORTED,
  outputItem,
  tell,
  type CallContextInput,
  type CallFact,
  type CallResult,
  type PreparedCall,
  type ToolCallOutcome,
  type ToolCallRequest,
} from './calls.js';
import { planUpdated } from './events.js';
import { execCallMachine } from './exec.machine.js';
import { mcpCallMachine } from './mcp.machine.js';
import { patchCallMachine } from './patch.machine.js';
import { publish, type ProtocolEmitted, type RelayEvent } from './publish.js';
import { promiseActor } from './unprovided.js';

export interface ToolCallInput extends CallContextInput {
  /** Ask the model to assess a command's risk before asking the user. */
  assessRisk: boolean;
}

export type ToolCallEvent = { type: 'interrupt' } | DoneActorEvent<CallResult, 'execCall' | 'patchCall' | 'mcpCall'> | CallFact | RelayEvent;

interface ToolCallContext extends ToolCallInput {
  prepared: PreparedCall | null;
  modelOutput: string;
  extraItems: ResponseItem[];
  result: CallResult | null;
}

/**
 * One tool call from the model: its arguments are read, then it is routed: a command, a
 * patch or an MCP tool call to its own machine, a plan or an image handled here. What the call's machines
 * publish and tell passes up to the turn unchanged.
 */
export const toolCallMachine = setup({
  types: {
    input: {} as ToolCallInput,
    output: {} as ToolCallOutcome,
    context: {} as ToolCallContext,
    events: {} as ToolCallEvent,
    emitted: {} as ProtocolEmitted | CallFact,
  },
  actors: {
    prepareCall: promiseActor<PreparedCall, { call: ToolCallRequest; settings: ToolCallInput['settings'] }>('prepareCall'),
    viewImage: promiseActor<ResponseItem[], { call: ToolCallRequest; path: string }>('viewImage'),
    execCall: execCallMachine,
    patchCall: patchCallMachine,
    mcpCall: mcpCallMachine,
  },
  guards: {
    isInvalid: ({ context }) => context.prepared?.kind === 'invalid',
    isPlan: ({ context }) => context.prepared?.kind === 'plan',
    isViewImage: ({ context }) => context.prepared?.kind === 'viewImage',
    isCommand: ({ context }) => context.prepared?.kind === 'exec' || context.prepared?.kind === 'writeStdin',
    isPatch: ({ context }) => context.prepared?.kind === 'patch',
    isMcp: ({ context }) => context.prepared?.kind === 'mcp',
  },
  actions: {
    setPrepared: assign({ prepared: (_, prepared: PreparedCall) => prepared }),
    setModelOutput: assign({ modelOutput: (_, text: string) => text }),
    setExtraItems: assign({ extraItems: (_, items: ResponseItem[]) => items }),
    setResult: assign({
      result: (_, result: CallResult) => result,
      modelOutput: (_, result: CallResult) => result.modelOutput,
      extraItems: ({ context }, result: CallResult) => result.items ?? context.extraItems,
    }),
    invalidOutput: assign({ modelOutput: ({ context }) => (context.prepared?.kind === 'invalid' ? context.prepared.message : '') }),
    publishPlan: enqueueActions(({ context, enqueue, self }) => {
      if (context.prepared?.kind === 'plan') publish(enqueue, self, planUpdated(context, context.prepared.explanation, context.prepared.plan));
    }),
    forward: enqueueActions(({ enqueue, self, event }) => {
      if (event.type === 'relay') publish(enqueue, self, ...event.events);
    }),
    /** A fact from the call's machine goes on to the turn as it is. */
    tellTurn: enqueueActions(({ enqueue, self, event }) => {
      if (event.type.startsWith('call.')) tell(enqueue, self, event as CallFact);
    }),
  },
}).createMachine({
  id: 'toolCall',
  context: ({ input }) => ({ ...input, prepared: null, modelOutput: '', extraItems: [], result: null }),
  on: {
    relay: { actions: 'forward' },
    'call.itemStarted': { actions: 'tellTurn' },
    'call.itemCompleted': { actions: 'tellTurn' },
    'call.awaitingApproval': { actions: 'tellTurn' },
    'call.approvalSettled': { actions: 'tellTurn' },
    'call.diffChanged': { actions: 'tellTurn' },
  },
  initial: 'preparing',
  states: {
    /** Read the arguments and resolve what the call means. */
    preparing: {
      invoke: {
        id: 'prepareCall',
        src: 'prepareCall',
        input: ({ context }) => ({ call: context.call, settings: context.settings }),
        onDone: { target: 'routing', actions: { type: 'setPrepared', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `failed to prepare the call: ${String(event.error)}` } },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    routing: {
      always: [
        { guard: 'isInvalid', target: 'done', actions: 'invalidOutput' },
        { guard: 'isPlan', target: 'done', actions: ['publishPlan', { type: 'setModelOutput', params: 'Plan updated' }] },
        { guard: 'isViewImage', target: 'viewingImage' },
        { guard: 'isCommand', target: 'command' },
        { guard: 'isPatch', target: 'patch' },
        { guard: 'isMcp', target: 'mcp' },
        { target: 'done', actions: { type: 'setModelOutput', params: 'unsupported call' } },
      ],
    },
    viewingImage: {
      invoke: {
        id: 'viewImage',
        src: 'viewImage',
        input: ({ context }) => ({ call: context.call, path: context.prepared?.kind === 'viewImage' ? context.prepared.path : '' }),
        onDone: { target: 'done', actions: { type: 'setExtraItems', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `view_image failed: ${String(event.error)}` } },
      },
      on: { interrupt: { target: 'done', actions: { type: 'setModelOutput', params: ABORTED } } },
    },
    /** A command, or input for a running one. */
    command: {
      invoke: {
        id: 'execCall',
        src: 'execCall',
        input: ({ context }) => {
          const prepared = context.prepared;
          if (prepared?.kind !== 'exec' && prepared?.kind !== 'writeStdin') throw new Error('routed a call that is not a command to execCall');
          const { threadId, turnId, call, settings, sessionGrants, clock, assessRisk } = context;
          return { threadId, turnId, call, settings, sessionGrants, clock, assessRisk, prepared };
        },
        onDone: { target: 'done', actions: { type: 'setResult', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `exec_command failed: ${String(event.error)}` } },
      },
      on: { interrupt: { actions: sendTo('execCall', { type: 'interrupt' }) } },
    },
    patch: {
      invoke: {
        id: 'patchCall',
        src: 'patchCall',
        input: ({ context }) => {
          const prepared = context.prepared;
          if (prepared?.kind !== 'patch') throw new Error('routed a call that is not a patch to patchCall');
          const { threadId, turnId, call, settings, sessionGrants, clock } = context;
          return { threadId, turnId, call, settings, sessionGrants, clock, prepared };
        },
        onDone: { target: 'done', actions: { type: 'setResult', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `apply_patch failed: ${String(event.error)}` } },
      },
      on: { interrupt: { actions: sendTo('patchCall', { type: 'interrupt' }) } },
    },
    /** A tool of a configured MCP server. */
    mcp: {
      invoke: {
        id: 'mcpCall',
        src: 'mcpCall',
        input: ({ context }) => {
          const prepared = context.prepared;
          if (prepared?.kind !== 'mcp') throw new Error('routed a call that is not an MCP tool call to mcpCall');
          const { threadId, turnId, call, settings, sessionGrants, clock } = context;
          return { threadId, turnId, call, settings, sessionGrants, clock, prepared };
        },
        onDone: { target: 'done', actions: { type: 'setResult', params: ({ event }) => event.output } },
        onError: { target: 'done', actions: { type: 'setModelOutput', params: ({ event }) => `MCP tool call failed: ${String(event.error)}` } },
      },
      on: { interrupt: { actions: sendTo('mcpCall', { type: 'interrupt' }) } },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({
    callId: context.call.callId,
    items: context.extraItems.length > 0 ? context.extraItems : [outputItem(context.call, context.modelOutput)],
    cancelTurn: context.result?.cancelTurn ?? false,
    grants: context.result?.grants ?? [],
  }),
});
