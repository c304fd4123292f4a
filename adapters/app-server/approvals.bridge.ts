import type { ApprovalDecision, ElicitationContent } from '../../protocol/approval.schema.js';
import { serverRequests, type ServerRequestMethod } from '../../protocol/appServer/serverRequests.schema.js';
import type { ProtocolEvent } from '../../protocol/events.schema.js';
import type { Connection } from './connection.js';
import { RequestAbandonedError } from './errors.js';
import { errorMessage } from '../../protocol/text.js';

/** Hands the client's decision back to the runtime, with the form's fields when it accepted an MCP server's question. */
export type DecideFn = (threadId: string, approvalId: string, decision: ApprovalDecision, content: ElicitationContent | null) => void | Promise<void>;

/** The decision in a client's answer: an approval's `decision`, or an MCP question's `action` and `content`; null when it does not fit. */
function answerOf(method: ServerRequestMethod, result: unknown): { decision: ApprovalDecision; content: ElicitationContent | null } | null {
  if (method === 'mcpServer/elicitation/request') {
    const parsed = serverRequests[method].result.safeParse(result);
    return parsed.success ? { decision: parsed.data.action, content: parsed.data.content ?? null } : null;
  }
  const parsed = serverRequests[method].result.safeParse(result);
  return parsed.success ? { decision: parsed.data.decision, content: null } : null;
}

interface Outstanding {
  requestId: number;
  threadId: string;
}

/**
 * Turns the runtime's approval events (and MCP servers' questions) into server → client requests and the client's
 * answers back into decisions. The runtime names approvals by its own approvalId; the
 * wire names them by the server request id; this class keeps the two in step.
 *
 * An answer that does not fit the result schema, or an error answer, counts as "decline":
 * it never lets anything run that the user did not clearly allow.
 */
export class ApprovalBridge {
  private readonly outstanding = new Map<string, Outstanding>();

  constructor(
    private readonly connection: Connection,
    private readonly decide: DecideFn,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Number of approvals asked and not yet resolved by the runtime. */
  get size(): number {
    return this.outstanding.size;
  }

  /** Handles approval events; returns false for anything else (the caller forwards it as a notification). */
  onEvent(threadId: string, event: ProtocolEvent): boolean {
    switch (event.method) {
      case 'item/commandExecution/requestApproval':
      case 'item/fileChange/requestApproval':
      case 'mcpServer/elicitation/request':
        this.ask(threadId, event.method, event.approvalId, event.params);
        return true;
      case 'serverRequest/resolved':
        this.resolved(threadId, event.approvalId, event.params.threadId);
        return true;
      default:
        return false;
    }
  }

  private ask(threadId: string, method: ServerRequestMethod, approvalId: string, params: unknown): void {
    const key = this.key(threadId, approvalId);
    if (this.outstanding.has(key)) {
      this.log(`approval ${approvalId} on thread ${threadId} asked twice; ignoring the repeat`);
      return;
    }
    const { id, response } = this.connection.sendRequest(method, params);
    this.outstanding.set(key, { requestId: id, threadId });
    response.then(
      (result) => {
        const answer = answerOf(method, result);
        if (answer !== null) return this.apply(threadId, approvalId, answer.decision, answer.content);
        this.log(`approval ${approvalId}: unusable answer ${JSON.stringify(result)}; treating it as decline`);
        return this.apply(threadId, approvalId, 'decline', null);
      },
      (err: unknown) => {
        // Cancelled (the runtime moved on) or the connection closed: nobody is waiting for a decision.
        if (err instanceof RequestAbandonedError) return;
        this.log(`approval ${approvalId}: client answered with an error (${errorMessage(err)}); treating it as decline`);
        return this.apply(threadId, approvalId, 'decline', null);
      },
    );
  }

  private async apply(threadId: string, approvalId: string, decision: ApprovalDecision, content: ElicitationContent | null): Promise<void> {
    try {
      await this.decide(threadId, approvalId, decision, content);
    } catch (err) {
      this.log(`approval ${approvalId}: decide failed: ${errorMessage(err)}`);
    }
  }

  private resolved(threadId: string, approvalId: string, wireThreadId: string): void {
    const key = this.key(threadId, approvalId);
    const entry = this.outstanding.get(key);
    if (entry === undefined) {
      this.log(`serverRequest/resolved for unknown approval ${approvalId} on thread ${threadId}`);
      return;
    }
    this.outstanding.delete(key);
    this.connection.cancelRequest(entry.requestId);
    this.connection.notify('serverRequest/resolved', { threadId: wireThreadId, requestId: entry.requestId });
  }

  private key(threadId: string, approvalId: string): string {
    return `${threadId}\u0000${approvalId}`;
  }
}

/** Sends one runtime event to the client: approvals through the bridge, the rest as notifications. */
export const forwardEvent = (connection: Connection, bridge: ApprovalBridge, threadId: string, event: ProtocolEvent): void => {
  if (bridge.onEvent(threadId, event)) return;
  connection.notify(event.method, event.params);
};
