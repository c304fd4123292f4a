import * as z from 'zod';
import { UserInput } from './userInput.schema.js';

/** What a parsed command does, for clients that summarise commands. */
export const CommandAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('read'), command: z.string(), name: z.string(), path: z.string() }),
  z.object({ type: z.literal('listFiles'), command: z.string(), path: z.string().nullable() }),
  z.object({ type: z.literal('search'), command: z.string(), query: z.string().nullable(), path: z.string().nullable() }),
  z.object({ type: z.literal('unknown'), command: z.string() }),
]);
export type CommandAction = z.infer<typeof CommandAction>;

export const CommandExecutionStatus = z.enum(['inProgress', 'completed', 'failed', 'declined']);
export type CommandExecutionStatus = z.infer<typeof CommandExecutionStatus>;

const PatchApplyStatus = z.enum(['inProgress', 'completed', 'failed', 'declined']);
type PatchApplyStatus = z.infer<typeof PatchApplyStatus>;

const PatchChangeKind = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add') }),
  z.object({ type: z.literal('delete') }),
  z.object({ type: z.literal('update'), move_path: z.string().nullable() }),
]);
type PatchChangeKind = z.infer<typeof PatchChangeKind>;

export const FileUpdateChange = z.object({ path: z.string(), kind: PatchChangeKind, diff: z.string() });
export type FileUpdateChange = z.infer<typeof FileUpdateChange>;

const timing = {
  startedAtMs: z.number().int().nullable(),
  completedAtMs: z.number().int().nullable(),
};

export const UserMessageItem = z.object({
  type: z.literal('userMessage'),
  id: z.string(),
  clientId: z.string().nullable(),
  content: z.array(UserInput),
  ...timing,
});

export const AgentMessageItem = z.object({
  type: z.literal('agentMessage'),
  moderation: z.null(),
  id: z.string(),
  text: z.string(),
  /** How final the text is, when the provider says: the reference's three phases. */
  phase: z.enum(['commentary', 'partial_answer', 'final_answer']).nullable(),
  memoryCitation: z.null(),
  delivery: z.null(),
  questions: z.null(),
  ...timing,
});

export const ReasoningItem = z.object({
  type: z.literal('reasoning'),
  id: z.string(),
  summary: z.array(z.string()),
  content: z.array(z.string()),
  ...timing,
});

export const CommandExecutionItem = z.object({
  type: z.literal('commandExecution'),
  id: z.string(),
  pluginId: z.null(),
  scriptPath: z.null(),
  command: z.string(),
  cwd: z.string(),
  processId: z.string().nullable(),
  source: z.enum(['agent', 'unifiedExecStartup', 'unifiedExecInteraction', 'userShell']),
  status: CommandExecutionStatus,
  commandActions: z.array(CommandAction),
  aggregatedOutput: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  ...timing,
});

export const FileChangeItem = z.object({
  type: z.literal('fileChange'),
  id: z.string(),
  changes: z.array(FileUpdateChange),
  status: PatchApplyStatus,
  ...timing,
});

const McpToolCallItem = z.object({
  type: z.literal('mcpToolCall'),
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  arguments: z.unknown(),
  status: z.enum(['inProgress', 'completed', 'failed']),
  /** What the MCP server answered, as its CallToolResult. */
  result: z.object({ content: z.array(z.unknown()), structuredContent: z.unknown().optional(), _meta: z.unknown().optional() }).nullable(),
  error: z.object({ message: z.string() }).nullable(),
  durationMs: z.number().int().nullable(),
  ...timing,
});

/** What a hosted web search did, in the reference's camelCase (the Responses API says open_page, find_in_page). */
export const WebSearchAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('search'), query: z.string().nullable().optional(), queries: z.array(z.string()).nullable().optional() }),
  z.object({ type: z.literal('openPage'), url: z.string().nullable().optional() }),
  z.object({ type: z.literal('findInPage'), url: z.string().nullable().optional(), pattern: z.string().nullable().optional() }),
  z.object({ type: z.literal('other') }),
]);
export type WebSearchAction = z.infer<typeof WebSearchAction>;

/** A search the provider ran for the model (the hosted web_search tool); the query is known once it is done. */
export const WebSearchItem = z.object({
  type: z.literal('webSearch'),
  id: z.string(),
  query: z.string(),
  action: WebSearchAction.nullable(),
  ...timing,
});

/** The conversation was compacted: the history before it was replaced by a summary and the recent user messages. */
export const ContextCompactionItem = z.object({
  type: z.literal('contextCompaction'),
  id: z.string(),
  ...timing,
});

/** Every kind of item a turn is made of, as clients see it. */
export const ThreadItem = z.discriminatedUnion('type', [
  UserMessageItem,
  AgentMessageItem,
  ReasoningItem,
  CommandExecutionItem,
  FileChangeItem,
  McpToolCallItem,
  WebSearchItem,
  ContextCompactionItem,
]);
export type ThreadItem = z.infer<typeof ThreadItem>;
export type UserMessageItem = z.infer<typeof UserMessageItem>;
export type AgentMessageItem = z.infer<typeof AgentMessageItem>;
export type ReasoningItem = z.infer<typeof ReasoningItem>;
export type CommandExecutionItem = z.infer<typeof CommandExecutionItem>;
export type FileChangeItem = z.infer<typeof FileChangeItem>;
export type McpToolCallItem = z.infer<typeof McpToolCallItem>;
export type WebSearchItem = z.infer<typeof WebSearchItem>;
export type ContextCompactionItem = z.infer<typeof ContextCompactionItem>;
