import { z } from 'zod';
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

/** What an approval is about, as the approval machine receives it. */
export const ApprovalRequest = z.discriminatedUnion('method', [
  z.object({ method: z.literal('item/commandExecution/requestApproval'), params: CommandApprovalParams }),
  z.object({ method: z.literal('item/fileChange/requestApproval'), params: FileChangeApprovalParams }),
]);
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;
