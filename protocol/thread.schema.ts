import * as z from 'zod';
import { ThreadItem } from './items.schema.js';

const ThreadActiveFlag = z.enum(['waitingOnApproval', 'waitingOnUserInput']);

export const ThreadStatus = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notLoaded') }),
  z.object({ type: z.literal('idle') }),
  z.object({ type: z.literal('systemError') }),
  z.object({ type: z.literal('active'), activeFlags: z.array(ThreadActiveFlag) }),
]);
export type ThreadStatus = z.infer<typeof ThreadStatus>;

export const TurnStatus = z.enum(['completed', 'interrupted', 'failed', 'inProgress']);
export type TurnStatus = z.infer<typeof TurnStatus>;

/** HTTP trouble with the model provider, with the status when one came back. */
const httpFailure = z.object({ httpStatusCode: z.number().int().min(0).nullable() });

/**
 * A machine-readable failure category: the reference's names, plus `configuration` and
 * `internal` for failures of ours that it has no name for (its schema accepts any string).
 */
export const CodexErrorInfo = z.union([
  z.enum([
    'contextWindowExceeded',
    'usageLimitExceeded',
    'rateLimitExceeded',
    'serverOverloaded',
    'modelNotFound',
    'internalServerError',
    'unauthorized',
    'badRequest',
    'sandboxError',
    'other',
    'configuration',
    'internal',
  ]),
  z.object({ httpConnectionFailed: httpFailure }).strict(),
  z.object({ responseStreamConnectionFailed: httpFailure }).strict(),
  z.object({ responseStreamDisconnected: httpFailure }).strict(),
  z.object({ responseTooManyFailedAttempts: httpFailure }).strict(),
]);
export type CodexErrorInfo = z.infer<typeof CodexErrorInfo>;

/** Why a turn failed; codexErrorInfo is a machine-readable category. */
export const TurnError = z.object({
  message: z.string(),
  codexErrorInfo: CodexErrorInfo.nullable(),
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

const ThreadEnvironment = z.object({ environmentId: z.string(), cwd: z.string(), runtimeWorkspaceRoots: z.array(z.string()) });

/** Where a thread was started from, in the reference's words. */
export const SessionSource = z.enum(['cli', 'vscode', 'exec', 'appServer', 'unknown']);
export type SessionSource = z.infer<typeof SessionSource>;

/**
 * The reference's thread fields statecraft has no value for: sent as null, except
 * historyMode. The reference's server sends the last four although its schema omits them.
 */
const referenceOnlyFields = {
  forkedFromId: z.string().nullable(),
  parentThreadId: z.string().nullable(),
  projectId: z.string().nullable(),
  agentNickname: z.string().nullable(),
  agentRole: z.string().nullable(),
  threadSource: z.string().nullable(),
  section: z.null(),
  sectionEnteredAt: z.number().int().nullable(),
  /** Ours is always `legacy`: turns come whole with thread/read and thread/resume. */
  historyMode: z.enum(['legacy', 'paginated']),
  extra: z.null(),
  attachedToThreadId: z.string().nullable(),
  canAcceptDirectInput: z.boolean().nullable(),
  daybreakEnabled: z.boolean().nullable(),
};

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
  source: SessionSource,
  gitInfo: GitInfo.nullable(),
  name: z.string().nullable(),
  turns: z.array(Turn),
  /** Where the thread runs; one local environment for statecraft. */
  environments: z.array(ThreadEnvironment).nullable().default(null),
  /** Last activity, for sorting by recency (unix seconds). */
  recencyAt: z.number().int().nullable().default(null),
  ...referenceOnlyFields,
});
export type Thread = z.infer<typeof Thread>;

/** The values of the reference-only fields for a statecraft thread. */
export const referenceOnlyThreadFields = () =>
  ({
    forkedFromId: null,
    parentThreadId: null,
    projectId: null,
    agentNickname: null,
    agentRole: null,
    threadSource: null,
    section: null,
    sectionEnteredAt: null,
    historyMode: 'legacy',
    extra: null,
    attachedToThreadId: null,
    canAcceptDirectInput: null,
    daybreakEnabled: null,
  }) satisfies { [K in keyof typeof referenceOnlyFields]: z.infer<(typeof referenceOnlyFields)[K]> };
