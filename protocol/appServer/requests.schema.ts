import * as z from 'zod';
import { ApprovalPolicy, ReasoningEffort, ReasoningSummary, SandboxMode, SandboxPolicy } from '../common.schema.js';
import { SkillErrorInfo, SkillMetadata } from '../skills.schema.js';
import { Thread, Turn } from '../thread.schema.js';
import { ModelInfo } from '../models.schema.js';
import { InitializeParams, InitializeResult } from './initialize.schema.js';
import { UserInput } from '../userInput.schema.js';

/*
 * Client → server requests. Params objects drop keys they do not know (clients of the
 * reference send more than we read), and optional fields take `null` as "not given",
 * because the reference's generated clients send null for unset fields.
 */

const nonEmpty = z.string().min(1);

// ── thread/start, thread/resume ───────────────────────────────────────────────

/** Settings a client may choose when it starts or resumes a thread. */
const threadOverrideFields = {
  cwd: z.string().nullish(),
  model: z.string().nullish(),
  modelProvider: z.string().nullish(),
  approvalPolicy: ApprovalPolicy.nullish(),
  /** The mode as a user names it; results report the resolved policy object instead. */
  sandbox: SandboxMode.nullish(),
  /** Config overrides: dotted key paths (e.g. "model_reasoning_effort") to values. */
  config: z.record(z.string(), z.unknown()).nullish(),
  baseInstructions: z.string().nullish(),
  developerInstructions: z.string().nullish(),
  ephemeral: z.boolean().nullish(),
};

export const ThreadStartParams = z.object(threadOverrideFields);
export type ThreadStartParams = z.infer<typeof ThreadStartParams>;

export const ThreadResumeParams = z.object({ threadId: nonEmpty, ...threadOverrideFields });
export type ThreadResumeParams = z.infer<typeof ThreadResumeParams>;

/** What a started or resumed thread really runs with, after config layering. */
export const ThreadSessionResult = z.object({
  thread: Thread,
  model: z.string(),
  modelProvider: z.string(),
  cwd: z.string(),
  approvalPolicy: ApprovalPolicy,
  sandbox: SandboxPolicy,
  reasoningEffort: ReasoningEffort.nullable(),
  runtimeWorkspaceRoots: z.array(z.string()).optional(),
  /** Instruction files (AGENTS.md and the like) that went into the thread's instructions. */
  instructionSources: z.array(z.string()).optional(),
  /** Who answers approval requests; "user" means the client is asked. */
  /** Who answers approval requests: always the user (the client) here. */
  approvalsReviewer: z.literal('user'),
  serviceTier: z.string().nullable(),
  /** The skills the thread loaded when it started (their names, descriptions and SKILL.md paths). */
  skills: z.array(SkillMetadata).optional(),
});
export type ThreadSessionResult = z.infer<typeof ThreadSessionResult>;

const ThreadStartResult = ThreadSessionResult;
type ThreadStartResult = ThreadSessionResult;
const ThreadResumeResult = ThreadSessionResult;
type ThreadResumeResult = ThreadSessionResult;

// ── thread/list, thread/read ──────────────────────────────────────────────────

const page = {
  /** Opaque; pass back the nextCursor of the previous page. */
  cursor: z.string().nullish(),
  limit: z.number().int().positive().nullish(),
};

const ThreadListParams = z.object(page);
type ThreadListParams = z.infer<typeof ThreadListParams>;

const ThreadListResult = z.object({ data: z.array(Thread), nextCursor: z.string().nullable() });
type ThreadListResult = z.infer<typeof ThreadListResult>;

const ThreadReadParams = z.object({ threadId: nonEmpty, includeTurns: z.boolean().nullish() });
type ThreadReadParams = z.infer<typeof ThreadReadParams>;

const ThreadReadResult = z.object({ thread: Thread });
type ThreadReadResult = z.infer<typeof ThreadReadResult>;

// ── turn/start, turn/interrupt ────────────────────────────────────────────────

export const TurnStartParams = z.object({
  threadId: nonEmpty,
  input: z.array(UserInput).min(1),
  cwd: z.string().nullish(),
  approvalPolicy: ApprovalPolicy.nullish(),
  sandboxPolicy: SandboxPolicy.nullish(),
  model: z.string().nullish(),
  effort: ReasoningEffort.nullish(),
  summary: ReasoningSummary.nullish(),
});
export type TurnStartParams = z.infer<typeof TurnStartParams>;

const TurnStartResult = z.object({ turn: Turn });
type TurnStartResult = z.infer<typeof TurnStartResult>;

export const TurnInterruptParams = z.object({ threadId: nonEmpty, turnId: nonEmpty });
export type TurnInterruptParams = z.infer<typeof TurnInterruptParams>;

const TurnInterruptResult = z.object({});
type TurnInterruptResult = z.infer<typeof TurnInterruptResult>;

// ── thread/compact/start ──────────────────────────────────────────────────────

/** Compacts a loaded, idle thread's conversation now; the compaction runs as a turn of its own. */
export const ThreadCompactStartParams = z.object({ threadId: nonEmpty });
export type ThreadCompactStartParams = z.infer<typeof ThreadCompactStartParams>;

const ThreadCompactStartResult = z.object({});
type ThreadCompactStartResult = z.infer<typeof ThreadCompactStartResult>;

// ── model/list ────────────────────────────────────────────────────────────────

export const ModelListParams = z.object({
  ...page,
  includeHidden: z.boolean().nullish(),
  /** List this configured provider's models instead of the one the config selects. */
  modelProvider: z.string().nullish(),
});
export type ModelListParams = z.infer<typeof ModelListParams>;

const ModelListResult = z.object({ data: z.array(ModelInfo), nextCursor: z.string().nullable() });
type ModelListResult = z.infer<typeof ModelListResult>;

// ── skills/list ───────────────────────────────────────────────────────────────

const SkillsListParams = z.object({
  /** The working directories to list skills for; the server's own when empty. */
  cwds: z.array(nonEmpty).nullish(),
  /** Read the skills from disk again instead of the cached outcome. */
  forceReload: z.boolean().nullish(),
});
type SkillsListParams = z.infer<typeof SkillsListParams>;

const SkillsListEntry = z.object({ cwd: z.string(), skills: z.array(SkillMetadata), errors: z.array(SkillErrorInfo) });
const SkillsListResult = z.object({ data: z.array(SkillsListEntry) });
type SkillsListResult = z.infer<typeof SkillsListResult>;

// ── mcpServerStatus/list ──────────────────────────────────────────────────────────

const McpServerStatusListParams = z.object({
  cursor: z.string().nullish(),
  /** How much to report; both report the tools (there are no resources to leave out). */
  detail: z.enum(['full', 'toolsAndAuthOnly']).nullish(),
  limit: z.number().int().min(1).nullish(),
  /** Only this server. */
  serverName: z.string().nullish(),
  /** A loaded thread whose connections to report; without one, the configured servers are started to be asked. */
  threadId: z.string().nullish(),
});
type McpServerStatusListParams = z.infer<typeof McpServerStatusListParams>;

/** A tool as its MCP server lists it. */
const McpTool = z.object({
  name: z.string(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  inputSchema: z.unknown(),
  outputSchema: z.unknown().optional(),
  annotations: z.unknown().optional(),
  icons: z.array(z.unknown()).nullish(),
  _meta: z.unknown().optional(),
});

/** One configured MCP server: its connection's state, what it says it is, its tools by name. */
export const McpServerStatus = z.object({
  name: z.string(),
  authStatus: z.enum(['unknown', 'unsupported', 'notLoggedIn', 'bearerToken', 'oAuth']),
  runtimeStatus: z.enum(['notStarted', 'starting', 'connected', 'authenticationRequired', 'failed', 'cancelled', 'disabled']).nullable(),
  serverInfo: z
    .object({
      name: z.string(),
      version: z.string(),
      title: z.string().nullish(),
      description: z.string().nullish(),
      websiteUrl: z.string().nullish(),
      icons: z.array(z.unknown()).nullish(),
    })
    .nullable(),
  /** The capabilities the server announced when it started; null before that. */
  serverCapabilities: z.unknown().optional(),
  /** The HTTP origin of a streamable HTTP server (no credentials or path); null for stdio. */
  httpOrigin: z.string().nullable(),
  tools: z.record(z.string(), McpTool),
  /** Why there is no tool list: the server failed to start or died. */
  toolsError: z.string().nullable(),
  resources: z.array(z.unknown()),
  resourceTemplates: z.array(z.unknown()),
});
export type McpServerStatus = z.infer<typeof McpServerStatus>;

const McpServerStatusListResult = z.object({ data: z.array(McpServerStatus), nextCursor: z.string().nullable() });
type McpServerStatusListResult = z.infer<typeof McpServerStatusListResult>;

// ── account/read, account/login/start, account/logout ───────────────────────────

const AccountReadParams = z.object({ refreshToken: z.boolean().nullish() });
type AccountReadParams = z.infer<typeof AccountReadParams>;

/** An account is an API key here: the environment's or the one `statecraft login` stored. */
const Account = z.object({ type: z.literal('apiKey') });

const AccountReadResult = z.object({
  account: Account.nullable(),
  /** Whether the configured provider takes an OpenAI API key (so a client should offer a login). */
  requiresOpenaiAuth: z.boolean(),
});
type AccountReadResult = z.infer<typeof AccountReadResult>;

/** Only API-key logins: the key is stored where `cli_auth_credentials_store` says. */
const AccountLoginStartParams = z.object({ type: z.literal('apiKey'), apiKey: nonEmpty });
type AccountLoginStartParams = z.infer<typeof AccountLoginStartParams>;

const AccountLoginStartResult = z.object({ type: z.literal('apiKey') });
type AccountLoginStartResult = z.infer<typeof AccountLoginStartResult>;

const AccountLogoutParams = z.object({});
type AccountLogoutParams = z.infer<typeof AccountLogoutParams>;

const AccountLogoutResult = z.object({});
type AccountLogoutResult = z.infer<typeof AccountLogoutResult>;

// ── the method table ──────────────────────────────────────────────────────────

/** Every client → server request we serve: its params and the result we answer with. */
export const clientRequests = {
  initialize: { params: InitializeParams, result: InitializeResult },
  'thread/start': { params: ThreadStartParams, result: ThreadStartResult },
  'thread/resume': { params: ThreadResumeParams, result: ThreadResumeResult },
  'thread/list': { params: ThreadListParams, result: ThreadListResult },
  'thread/read': { params: ThreadReadParams, result: ThreadReadResult },
  'turn/start': { params: TurnStartParams, result: TurnStartResult },
  'turn/interrupt': { params: TurnInterruptParams, result: TurnInterruptResult },
  'thread/compact/start': { params: ThreadCompactStartParams, result: ThreadCompactStartResult },
  'model/list': { params: ModelListParams, result: ModelListResult },
  'skills/list': { params: SkillsListParams, result: SkillsListResult },
  'mcpServerStatus/list': { params: McpServerStatusListParams, result: McpServerStatusListResult },
  'account/read': { params: AccountReadParams, result: AccountReadResult },
  'account/login/start': { params: AccountLoginStartParams, result: AccountLoginStartResult },
  'account/logout': { params: AccountLogoutParams, result: AccountLogoutResult },
} as const;

export type ClientRequestMethod = keyof typeof clientRequests;
export type ClientRequestParams<M extends ClientRequestMethod> = z.infer<(typeof clientRequests)[M]['params']>;
export type ClientRequestResult<M extends ClientRequestMethod> = z.infer<(typeof clientRequests)[M]['result']>;

export const isClientRequestMethod = (method: string): method is ClientRequestMethod => Object.hasOwn(clientRequests, method);

// ── client notifications ──────────────────────────────────────────────────────

/** Sent once after the initialize response; carries nothing. */
const InitializedNotification = z.object({ method: z.literal('initialized'), params: z.object({}).nullish() });
type InitializedNotification = z.infer<typeof InitializedNotification>;

export const clientNotifications = { initialized: InitializedNotification } as const;
