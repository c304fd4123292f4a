import { Subscription } from 'rxjs';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ThreadHandle } from '../../actors/runtime/index.js';
import { errorMessage, type FileUpdateChange, type ProtocolEvent, type ProtocolEventOf, type Turn } from '../../protocol/index.js';
import { McpServerElicitationRequestResult } from '../../protocol/appServer/index.js';
import type { StatecraftEventParams, StatecraftToolOutput } from '../../protocol/mcpServer/index.js';
import { approvalElicitation, decisionFromAnswer, offeredDecisions, type ApprovalEvent } from './elicitation.js';

/** What one `tools/call` request gives the turn it runs: where its notifications go and how to ask its client. */
export interface CallChannel {
  requestId: string | number;
  /** The caller's progress token, when it asked for progress. */
  progressToken: string | number | undefined;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
  /** Sends a notification about this call; progress is sent only while the call is not cancelled. */
  notify(notification: { method: 'statecraft/event'; params: StatecraftEventParams }): void;
  progress(params: { progressToken: string | number; progress: number; message: string }): void;
  /** Sends `elicitation/create` and resolves with the client's answer; null when the client cannot be asked. */
  elicit: ((params: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>) | null;
  log(line: string): void;
}

/** A short line for a progress notification: what happened, in words a client can show as it is. */
function progressMessage(event: ProtocolEvent): string {
  switch (event.method) {
    case 'item/agentMessage/delta':
      return event.params.delta;
    case 'item/started':
    case 'item/completed': {
      const { item } = event.params;
      const verb = event.method === 'item/started' ? 'started' : 'completed';
      if (item.type === 'commandExecution') return `command ${verb}: ${item.command}`;
      if (item.type === 'fileChange') return `file change ${verb}: ${item.changes.map((change) => change.path).join(', ')}`;
      return `${item.type} ${verb}`;
    }
    case 'item/commandExecution/requestApproval':
      return `approval needed to run: ${event.params.command}`;
    case 'item/fileChange/requestApproval':
      return 'approval needed to change files';
    case 'turn/completed':
      return `turn ${event.params.turn.status}`;
    default:
      return event.method;
  }
}

const lastAgentText = (turn: Turn): string => {
  const message = [...turn.items].reverse().find((item) => item.type === 'agentMessage');
  return message?.type === 'agentMessage' ? message.text : '';
};

/** A tool error: the reason as text, the thread (when there is one) to reply to. */
export function toolError(reason: string, threadId: string | null = null): CallToolResult {
  return {
    content: [{ type: 'text', text: reason }],
    isError: true,
    ...(threadId ? { structuredContent: { threadId, content: reason } satisfies StatecraftToolOutput } : {}),
  };
}

function turnResult(threadId: string, turn: Turn): CallToolResult {
  const text = lastAgentText(turn);
  if (turn.status === 'completed') {
    return { content: [{ type: 'text', text }], structuredContent: { threadId, content: text } satisfies StatecraftToolOutput };
  }
  const reason =
    turn.status === 'interrupted' ? 'the turn was interrupted before it finished' : `the turn failed: ${turn.error?.message ?? 'no reason was given'}`;
  return toolError(text ? `${reason}; the last agent message was:\n${text}` : reason, threadId);
}

/**
 * Runs one turn of a thread for a tool call: its events go to the client as notifications
 * tied to the call, its approvals become elicitations, cancelling the call interrupts it.
 * Resolves with the tool result once the turn has completed.
 */
export function runTurnForCall(handle: ThreadHandle, prompt: string, channel: CallChannel): Promise<CallToolResult> {
  const { threadId } = handle;
  let progress = 0;
  /** Each file change item's changes, for the approval elicitation that follows its start. */
  const changes = new Map<string, FileUpdateChange[]>();
  /** Elicitations the client has not answered yet, by approval id. */
  const asking = new Map<string, AbortController>();
  let turnId: string | null = null;

  const ask = (event: ApprovalEvent) => {
    const offered = offeredDecisions(event);
    if (!channel.elicit) {
      channel.log(
        `thread ${threadId}: declined ${event.method === 'item/fileChange/requestApproval' ? 'a patch' : `\`${event.params.command}\``}: ` +
          'the client cannot be asked (it has no elicitation capability); choose an approval policy that does not ask, e.g. "never"',
      );
      handle.decide(event.approvalId, 'decline');
      return;
    }
    const asked = new AbortController();
    asking.set(event.approvalId, asked);
    const params = approvalElicitation(event, { toolCallId: channel.requestId, changes: changes.get(event.params.itemId) ?? [] });
    channel.elicit(params, asked.signal).then(
      (answer) => {
        if (asked.signal.aborted) return;
        const decision = decisionFromAnswer(answer, offered);
        if (decision === null) channel.log(`approval ${event.approvalId}: unusable answer ${JSON.stringify(answer)}; treating it as decline`);
        handle.decide(event.approvalId, decision ?? 'decline');
      },
      (error: unknown) => {
        if (asked.signal.aborted) return;
        channel.log(`approval ${event.approvalId}: the client answered with an error (${errorMessage(error)}); treating it as decline`);
        handle.decide(event.approvalId, 'decline');
      },
    );
  };

  /** A question from one of the thread's own MCP servers goes to this client as it is: its message and its form. */
  const forward = (event: ProtocolEventOf<'mcpServer/elicitation/request'>) => {
    if (!channel.elicit) {
      channel.log(`thread ${threadId}: declined MCP server ${event.params.serverName}'s question (the client cannot be asked): ${event.params.message}`);
      handle.decide(event.approvalId, 'decline');
      return;
    }
    const asked = new AbortController();
    asking.set(event.approvalId, asked);
    const { message, requestedSchema } = event.params;
    channel.elicit({ mode: 'form', message: `MCP server ${event.params.serverName} asks: ${message}`, requestedSchema }, asked.signal).then(
      (answer) => {
        if (asked.signal.aborted) return;
        const parsed = McpServerElicitationRequestResult.safeParse(answer);
        if (!parsed.success) channel.log(`question ${event.approvalId}: unusable answer ${JSON.stringify(answer)}; treating it as decline`);
        handle.decide(event.approvalId, parsed.success ? parsed.data.action : 'decline', parsed.success ? (parsed.data.content ?? null) : null);
      },
      (error: unknown) => {
        if (asked.signal.aborted) return;
        channel.log(`question ${event.approvalId}: the client answered with an error (${errorMessage(error)}); treating it as decline`);
        handle.decide(event.approvalId, 'decline');
      },
    );
  };

  return new Promise<CallToolResult>((resolve) => {
    const onAbort = () => handle.interrupt();
    let finished = false;
    // Made first so a thread that has already closed, ending the call while subscribing, is left at once.
    const subscription = new Subscription();
    const finish = (result: CallToolResult) => {
      if (finished) return;
      finished = true;
      subscription.unsubscribe();
      channel.signal.removeEventListener('abort', onAbort);
      for (const asked of asking.values()) asked.abort();
      resolve(result);
    };
    subscription.add(
      handle.events$.subscribe({
        next: (event) => {
          channel.notify({
            method: 'statecraft/event',
            params: { _meta: { requestId: channel.requestId }, threadId, event: { method: event.method, params: event.params } },
          });
          if (channel.progressToken !== undefined && !channel.signal.aborted) {
            progress += 1;
            channel.progress({ progressToken: channel.progressToken, progress, message: progressMessage(event) });
          }
          switch (event.method) {
            case 'item/started':
              if (event.params.item.type === 'fileChange') changes.set(event.params.item.id, event.params.item.changes);
              break;
            case 'item/commandExecution/requestApproval':
            case 'item/fileChange/requestApproval':
              ask(event);
              break;
            case 'mcpServer/elicitation/request':
              forward(event);
              break;
            case 'serverRequest/resolved':
              // Decided otherwise (the turn was interrupted, say): the client's question is withdrawn.
              asking.get(event.approvalId)?.abort();
              asking.delete(event.approvalId);
              break;
            case 'turn/completed':
              if (event.params.turn.id === turnId) finish(turnResult(threadId, event.params.turn));
              break;
          }
        },
        complete: () => finish(toolError(`thread ${threadId} closed before the turn ended`, threadId)),
        error: (error: unknown) => finish(toolError(`thread ${threadId} failed: ${errorMessage(error)}`, threadId)),
      }),
    );
    if (finished) return;
    try {
      turnId = handle.startTurn([{ type: 'text', text: prompt, text_elements: [] }]).id;
    } catch (error) {
      finish(toolError(`thread ${threadId} cannot take a turn now: ${errorMessage(error)}`, threadId));
      return;
    }
    channel.signal.addEventListener('abort', onAbort, { once: true });
    if (channel.signal.aborted) onAbort();
  });
}
