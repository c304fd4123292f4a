import * as z from 'zod';
import { CommandAction } from './items.schema.js';

/** The answers every approval request offers; `options` lists them in the order they are offered. */
export const PlainApprovalDecision = z.enum(['accept', 'acceptForSession', 'decline', 'cancel']);
export type PlainApprovalDecision = z.infer<typeof PlainApprovalDecision>;

/** What the client answers to an approval request. */
export const ApprovalDecision = z.union([
  PlainApprovalDecision,
  z.object({
    acceptWithExecpolicyAmendment: z.object({ execpolicy_amendment: z.array(z.string()).min(1) }),
  }),
]);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** The model's own reading of a command's risk (experimental). */
export const CommandRisk = z.object({
  description: z.string(),
  riskLevel: z.enum(['low', 'medium', 'high']),
  riskCategories: z.array(z.string()),
});
export type CommandRisk = z.infer<typeof CommandRisk>;

export const CommandApprovalParams = z.object({
  kind: z.literal('command'),
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  startedAtMs: z.number().int(),
  environmentId: z.string(),
  reason: z.string().nullable(),
  command: z.string(),
  cwd: z.string(),
  commandActions: z.array(CommandAction),
  proposedExecpolicyAmendment: z.array(z.string()).nullable(),
  availableDecisions: z.array(ApprovalDecision),
  risk: CommandRisk.nullable(),
});
export type CommandApprovalParams = z.infer<typeof CommandApprovalParams>;

export const FileChangeApprovalParams = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  startedAtMs: z.number().int(),
  reason: z.string().nullable(),
  grantRoot: z.string().nullable(),
});
export type FileChangeApprovalParams = z.infer<typeof FileChangeApprovalParams>;

/** The answers an MCP server's `elicitation/create` can get. */
export const ElicitationAction = z.enum(['accept', 'decline', 'cancel']);
export type ElicitationAction = z.infer<typeof ElicitationAction>;

/** What the user filled in, field by field, when accepting a form. */
export const ElicitationContent = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));
export type ElicitationContent = z.infer<typeof ElicitationContent>;

const elicitationRef = {
  threadId: z.string(),
  /** The turn running when the server asked, if one was. */
  turnId: z.string().nullable(),
  serverName: z.string(),
};

/**
 * An MCP server's `elicitation/create` form: a message and a flat JSON Schema of the fields to
 * fill in. (MCP's URL questions are not offered to servers, so none is ever passed on.)
 */
export const ElicitationQuestion = z.object({
  mode: z.literal('form'),
  message: z.string(),
  requestedSchema: z.object({
    $schema: z.string().optional(),
    type: z.literal('object'),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())),
    required: z.array(z.string()).optional(),
  }),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
export type ElicitationQuestion = z.infer<typeof ElicitationQuestion>;

/** The question passed on to the user, with the thread, turn and server it comes from. */
export const McpElicitationParams = ElicitationQuestion.extend(elicitationRef);
export type McpElicitationParams = z.infer<typeof McpElicitationParams>;

/** What an approval is about, as the approval machine receives it: a command, a patch, or an MCP server's question. */
export const ApprovalRequest = z.discriminatedUnion('method', [
  z.object({ method: z.literal('item/commandExecution/requestApproval'), params: CommandApprovalParams }),
  z.object({ method: z.literal('item/fileChange/requestApproval'), params: FileChangeApprovalParams }),
  z.object({ method: z.literal('mcpServer/elicitation/request'), params: McpElicitationParams }),
]);
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;
