import * as z from 'zod';
import { ThreadTokenUsage } from './common.schema.js';
import { ThreadItem } from './items.schema.js';
import { Thread, ThreadStatus, Turn, TurnError } from './thread.schema.js';
import { CommandApprovalParams, FileChangeApprovalParams, McpElicitationParams } from './approval.schema.js';

const itemRef = { threadId: z.string(), turnId: z.string(), itemId: z.string() };

const PlanStepStatus = z.enum(['pending', 'inProgress', 'completed']);
export const PlanStep = z.object({ step: z.string(), status: PlanStepStatus });
export type PlanStep = z.infer<typeof PlanStep>;

/**
 * The params of every notification the runtime emits, keyed by method.
 * Adapters add framing (`emittedAtMs`, JSON-RPC ids); they never change these.
 */
export const notificationParams = {
  'thread/started': z.object({ thread: Thread }),
  'thread/status/changed': z.object({ threadId: z.string(), status: ThreadStatus }),
  'turn/started': z.object({ threadId: z.string(), turn: Turn }),
  'turn/completed': z.object({ threadId: z.string(), turn: Turn }),
  'item/started': z.object({ item: ThreadItem, threadId: z.string(), turnId: z.string(), startedAtMs: z.number().int() }),
  'item/completed': z.object({
    item: ThreadItem,
    threadId: z.string(),
    turnId: z.string(),
    contentTokenCount: z.number().int().nullable(),
    completedAtMs: z.number().int(),
  }),
  'item/agentMessage/delta': z.object({ ...itemRef, delta: z.string() }),
  'item/reasoning/textDelta': z.object({ ...itemRef, delta: z.string(), contentIndex: z.number().int() }),
  'item/reasoning/summaryTextDelta': z.object({ ...itemRef, delta: z.string(), summaryIndex: z.number().int() }),
  'item/reasoning/summaryPartAdded': z.object({ ...itemRef, summaryIndex: z.number().int() }),
  'item/commandExecution/outputDelta': z.object({ ...itemRef, delta: z.string() }),
  'turn/plan/updated': z.object({
    threadId: z.string(),
    turnId: z.string(),
    explanation: z.string().nullable(),
    plan: z.array(PlanStep),
  }),
  'turn/diff/updated': z.object({ threadId: z.string(), turnId: z.string(), diff: z.string() }),
  'thread/tokenUsage/updated': z.object({ threadId: z.string(), turnId: z.string(), tokenUsage: ThreadTokenUsage }),
  /** The conversation was compacted (the reference keeps it beside the contextCompaction item, as deprecated). */
  'thread/compacted': z.object({ threadId: z.string(), turnId: z.string() }),
  error: z.object({ error: TurnError, willRetry: z.boolean(), threadId: z.string(), turnId: z.string() }),
  /** Something the user should know that stops nothing, such as resuming a thread with another model than it recorded. */
  warning: z.object({ threadId: z.string(), message: z.string() }),
  /** An MCP server of the thread is starting, ready, or failed to start (with why). */
  'mcpServer/startupStatus/updated': z.object({
    threadId: z.string().nullable(),
    name: z.string(),
    status: z.enum(['starting', 'ready', 'failed', 'cancelled']),
    error: z.string().nullable(),
  }),
} as const;

export type NotificationMethod = keyof typeof notificationParams;
export type McpStartupState = z.infer<(typeof notificationParams)['mcpServer/startupStatus/updated']>['status'];

const notification = <M extends NotificationMethod>(method: M) => z.object({ method: z.literal(method), params: notificationParams[method] });

/**
 * Everything a session reports. Notifications carry the wire params as they are;
 * approval requests and their resolution carry the runtime's approval id, which an
 * adapter maps to its own request id.
 */
export const ProtocolEvent = z.discriminatedUnion('method', [
  notification('thread/started'),
  notification('thread/status/changed'),
  notification('turn/started'),
  notification('turn/completed'),
  notification('item/started'),
  notification('item/completed'),
  notification('item/agentMessage/delta'),
  notification('item/reasoning/textDelta'),
  notification('item/reasoning/summaryTextDelta'),
  notification('item/reasoning/summaryPartAdded'),
  notification('item/commandExecution/outputDelta'),
  notification('turn/plan/updated'),
  notification('turn/diff/updated'),
  notification('thread/tokenUsage/updated'),
  notification('thread/compacted'),
  notification('error'),
  notification('warning'),
  notification('mcpServer/startupStatus/updated'),
  z.object({
    method: z.literal('item/commandExecution/requestApproval'),
    approvalId: z.string(),
    params: CommandApprovalParams,
  }),
  z.object({
    method: z.literal('item/fileChange/requestApproval'),
    approvalId: z.string(),
    params: FileChangeApprovalParams,
  }),
  z.object({
    method: z.literal('mcpServer/elicitation/request'),
    approvalId: z.string(),
    params: McpElicitationParams,
  }),
  z.object({
    method: z.literal('serverRequest/resolved'),
    approvalId: z.string(),
    params: z.object({ threadId: z.string() }),
  }),
]);
export type ProtocolEvent = z.infer<typeof ProtocolEvent>;
export type ProtocolEventOf<M extends ProtocolEvent['method']> = Extract<ProtocolEvent, { method: M }>;
