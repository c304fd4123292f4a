import { z } from 'zod';
import { ApprovalDecision, CommandApprovalParams, CommandRisk, FileChangeApprovalParams, PlainApprovalDecision } from '../approval.schema.js';
import { RequestId } from './jsonrpc.schema.js';

/*
 * Server → client requests: the approvals. Their ids come from the server's own counter
 * (starting at 0), separate from the client's request ids.
 */

/**
 * Asks whether a command may run. `risk` is the model's own assessment, present only when
 * that experimental feature is on; the reference server leaves the key out entirely, so a
 * client must not rely on it being there.
 */
export const CommandExecutionRequestApprovalParams = CommandApprovalParams.extend({
  risk: CommandRisk.nullish(),
});
export type CommandExecutionRequestApprovalParams = z.infer<typeof CommandExecutionRequestApprovalParams>;

/** The client's answer to a command approval. */
export const CommandExecutionRequestApprovalResult = z.object({ decision: ApprovalDecision });
export type CommandExecutionRequestApprovalResult = z.infer<typeof CommandExecutionRequestApprovalResult>;

/** Asks whether a patch may be applied; the changes are in the item/started that came before. */
export const FileChangeRequestApprovalParams = FileChangeApprovalParams;
export type FileChangeRequestApprovalParams = z.infer<typeof FileChangeRequestApprovalParams>;

/** A patch has no command prefix to remember, so the amendment form is not offered. */
export const FileChangeApprovalDecision = PlainApprovalDecision;
export type FileChangeApprovalDecision = z.infer<typeof FileChangeApprovalDecision>;

export const FileChangeRequestApprovalResult = z.object({ decision: FileChangeApprovalDecision });
export type FileChangeRequestApprovalResult = z.infer<typeof FileChangeRequestApprovalResult>;

export const serverRequests = {
  'item/commandExecution/requestApproval': {
    params: CommandExecutionRequestApprovalParams,
    result: CommandExecutionRequestApprovalResult,
  },
  'item/fileChange/requestApproval': {
    params: FileChangeRequestApprovalParams,
    result: FileChangeRequestApprovalResult,
  },
} as const;

export type ServerRequestMethod = keyof typeof serverRequests;
export type ServerRequestParams<M extends ServerRequestMethod> = z.infer<(typeof serverRequests)[M]['params']>;
export type ServerRequestResult<M extends ServerRequestMethod> = z.infer<(typeof serverRequests)[M]['result']>;

export const isServerRequestMethod = (method: string): method is ServerRequestMethod =>
  Object.hasOwn(serverRequests, method);

const request = <M extends ServerRequestMethod>(method: M) =>
  z.object({ id: RequestId, method: z.literal(method), params: serverRequests[method].params });

/** A whole server request line, told apart by method. */
export const ServerRequest = z.discriminatedUnion('method', [
  request('item/commandExecution/requestApproval'),
  request('item/fileChange/requestApproval'),
]);
export type ServerRequest = z.infer<typeof ServerRequest>;
