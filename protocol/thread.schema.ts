import { z } from 'zod';
import { ThreadItem } from './items.schema.js';

export const ThreadActiveFlag = z.enum(['waitingOnApproval', 'waitingOnUserInput']);

export const ThreadStatus = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notLoaded') }),
  z.object({ type: z.literal('idle') }),
  z.object({ type: z.literal('systemError') }),
  z.object({ type: z.literal('active'), activeFlags: z.array(ThreadActiveFlag) }),
]);
export type ThreadStatus = z.infer<typeof ThreadStatus>;

export const TurnStatus = z.enum(['completed', 'interrupted', 'failed', 'inProgress']);
export type TurnStatus = z.infer<typeof TurnStatus>;

/** Why a turn failed; codexErrorInfo is a machine-readable category. */
export const TurnError = z.object({
  message: z.string(),
  codexErrorInfo: z.unknown().nullable(),
  additionalDetails: z.string().nullable(),
});
export type TurnError = z.infer<typeof TurnError>;

export const Turn = z.object({
  id: z.string(),
  rootTurnId: z.string(),
  items: z.array(ThreadItem),
  itemsView: z.enum(['notLoaded', 'summary', 'full']),
  status: TurnStatus,
  error: TurnError.nullable(),
  startedAt: z.number().int().nullable(),
  completedAt: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
});
export type Turn = z.infer<typeof Turn>;

export const GitInfo = z.object({
  sha: z.string().nullable(),
  branch: z.string().nullable(),
  originUrl: z.string().nullable(),
});
export type GitInfo = z.infer<typeof GitInfo>;

export const Thread = z.object({
  id: z.string(),
  sessionId: z.string(),
  preview: z.string(),
  ephemeral: z.boolean(),
  modelProvider: z.string(),
  model: z.string(),
  reasoningEffort: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  status: ThreadStatus,
  path: z.string().nullable(),
  cwd: z.string(),
  cliVersion: z.string(),
  originator: z.string(),
  source: z.string(),
  gitInfo: GitInfo.nullable(),
  name: z.string().nullable(),
  turns: z.array(Turn),
});
export type Thread = z.infer<typeof Thread>;
