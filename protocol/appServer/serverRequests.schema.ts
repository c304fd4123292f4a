import * as z from 'zod';
import {
  ApprovalDecision,
  CommandApprovalParams,
  CommandRisk,
  ElicitationAction,
  ElicitationContent,
  FileChangeApprovalParams,
  McpElicitationParams,
  PlainApprovalDecision,
} from '../approval.schema.js';

/*
 * Server → client requests: the approvals and MCP servers' questions. Their ids come from the server's own counter
 * (starting at 0), separate from the client's request ids.
 */

/**
 * Asks whether a command may run. `risk` is the model's own assessment, present only when
 * that experimental feature is on; the reference server leaves the key out entirely, so a
 * client must not rely on it being there.
 */
const CommandExecutionRequestApprovalParams = CommandApprovalParams.extend({
  risk: CommandRisk.nullish(),
});
type CommandExecutionRequestApprovalParams = z.infer<typeof CommandExecutionRequestApprovalParams>;

/** The client's answer to a command approval. */
export const CommandExecutionRequestApprovalResult = z.object({ decision: ApprovalDecision });
export type CommandExecutionRequestApprovalResult = z.infer<typeof CommandExecutionRequestApprovalResult>;

/** Asks whether a patch may be applied; the changes are in the item/started that came before. */
const FileChangeRequestApprovalParams = FileChangeApprovalParams;
type FileChangeRequestApprovalParams = z.infer<typeof FileChangeRequestApprovalParams>;

/** A patch has no command prefix to remember, so the amendment form is not offered. */
const FileChangeApprovalDecision = PlainApprovalDecision;
type FileChangeApprovalDecision = z.infer<typeof FileChangeApprovalDecision>;

export const FileChangeRequestApprovalResult = z.object({ decision: FileChangeApprovalDecision });
export type FileChangeRequestApprovalResult = z.infer<typeof FileChangeRequestApprovalResult>;

/** The user's answer to an MCP server's question: the form's fields when accepted. */
export const McpServerElicitationRequestResult = z.object({
  action: ElicitationAction,
  content: ElicitationContent.nullish(),
  _meta: z.unknown().optional(),
});
export type McpServerElicitationRequestResult = z.infer<typeof McpServerElicitationRequestResult>;

export const serverRequests = {
  'item/commandExecution/requestApproval': {
    params: CommandExecutionRequestApprovalParams,
    result: CommandExecutionRequestApprovalResult,
  },
  'item/fileChange/requestApproval': {
    params: FileChangeRequestApprovalParams,
    result: FileChangeRequestApprovalResult,
  },
  'mcpServer/elicitation/request': {
    params: McpElicitationParams,
    result: McpServerElicitationRequestResult,
  },
} as const;

export type ServerRequestMethod = keyof typeof serverRequests;

export const isServerRequestMethod = (method: string): method is ServerRequestMethod => Object.hasOwn(serverRequests, method);
