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

export const ThreadEnvironment = z.object({ environmentId: z.string(), cwd: z.string(), runtimeWorkspaceRoots: z.array(z.string()) });

const REFERENCE_ONLY_THREAD_FIELDS = [
  'extra',
  'forkedFromId',
  'attachedToThreadId',
  'parentThreadId',
  'section',
  'sectionEnteredAt',
  'projectId',
  'historyMode',
  'canAcceptDirectInput',
  'threadSource',
  'agentNickname',
  'agentRole',
  'daybreakEnabled',
] as const;

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
  /** Where the thread runs; one local environment for statecraft. */
  environments: z.array(ThreadEnvironment).nullable().default(null),
  /** Last activity, for sorting by recency (unix seconds). */
  recencyAt: z.number().int().nullable().default(null),
  // Fields of the reference's thread that statecraft has no value for; sent as null.
  ...Object.fromEntries(
    REFERENCE_ONLY_THREAD_FIELDS.map((field) => [field, z.unknown().nullable().default(null)]),
  ) as Record<(typeof REFERENCE_ONLY_THREAD_FIELDS)[number], z.ZodDefault<z.ZodNullable<z.ZodUnknown>>>,
});
export type Thread = z.infer<typeof Thread>;

/** The reference-only fields of a thread, all null. */
export const referenceOnlyThreadFields = () =>
  Object.fromEntries(REFERENCE_ONLY_THREAD_FIELDS.map((field) => [field, null])) as Record<(typeof REFERENCE_ONLY_THREAD_FIELDS)[number], null>;
