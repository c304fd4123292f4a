import * as z from 'zod';
import { ApprovalPolicy, SandboxMode } from '../common.schema.js';
import { CommandAction, FileUpdateChange } from '../items.schema.js';

/*
 * `statecraft mcp-server`: the tools it offers over MCP, the `statecraft/event` notification
 * that streams a turn's events, and the elicitation it sends when a command or patch needs
 * approval (with the `codex_*` fields clients of Codex's MCP server read).
 */

/** The longest prompt a tool call takes, in characters (1 MiB, as Codex caps user input). */
export const MAX_PROMPT_CHARS = 1 << 20;

const Prompt = z
  .string()
  .min(1, 'the prompt is empty; say what statecraft should do')
  .max(MAX_PROMPT_CHARS, {
    error: (issue) => `the prompt has ${typeof issue.input === 'string' ? issue.input.length : 'too many'} characters; the limit is ${MAX_PROMPT_CHARS}`,
  });

/** Where a null sits inside a JSON value (its key path), or null when there is none. */
function nullInside(value: unknown, path: string[] = []): string[] | null {
  if (value === null) return path;
  if (typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = nullInside(inner, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** A value TOML can hold: JSON without null (a key that should keep its configured value is left out instead). */
type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
const TomlValue: z.ZodType<TomlValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.array(TomlValue), z.record(z.string(), TomlValue)], {
    error: (issue) => {
      const path = nullInside(issue.input) ?? [];
      return `${path.length > 0 ? `${path.join('.')}: ` : ''}null has no TOML form; leave the key out to keep the configured value`;
    },
  }),
);

export const StatecraftToolParams = z.strictObject({
  prompt: Prompt.describe('What statecraft should do: the first user message of a new thread.'),
  model: z.string().optional().describe('The model to use, e.g. "gpt-5.1-codex" (default: the configured one).'),
  profile: z.string().optional().describe('A config profile from config.toml whose settings apply.'),
  cwd: z.string().optional().describe('The working directory of the thread; relative paths are relative to the server process.'),
  'approval-policy': ApprovalPolicy.optional().describe(
    'When to ask before a command runs: untrusted (anything not known safe), on-failure (when the sandbox refuses), on-request (when the model asks), never.',
  ),
  sandbox: SandboxMode.optional().describe('What commands may touch: read-only, workspace-write (the cwd and writable roots), danger-full-access.'),
  config: z
    .record(z.string(), TomlValue)
    .optional()
    .describe('Config overrides, as with `-c key=value`: nested objects or dotted keys, e.g. {"sandbox_workspace_write": {"network_access": true}}.'),
  'base-instructions': z.string().optional().describe('Instructions that replace the built-in system instructions.'),
  'developer-instructions': z.string().optional().describe('Instructions added as a developer message before the prompt.'),
});
export type StatecraftToolParams = z.infer<typeof StatecraftToolParams>;

export const StatecraftReplyToolParams = z.strictObject({
  threadId: z.string().min(1, 'the thread id is empty').describe('The thread to continue: the threadId a statecraft call returned (or a unique prefix of it).'),
  prompt: Prompt.describe('The next user message of the thread.'),
});
export type StatecraftReplyToolParams = z.infer<typeof StatecraftReplyToolParams>;

/** What both tools return besides the text: the thread to reply to and the last agent message. */
export const StatecraftToolOutput = z.object({
  threadId: z.string().describe('The thread the turn ran in; pass it to statecraft-reply to continue.'),
  content: z.string().describe('The last agent message of the turn.'),
});
export type StatecraftToolOutput = z.infer<typeof StatecraftToolOutput>;

/** `statecraft/event`: one protocol event of the turn a tool call runs, tied to that call by `_meta.requestId`. */
export const StatecraftEventParams = z.object({
  _meta: z.object({ requestId: z.union([z.string(), z.number()]) }),
  threadId: z.string(),
  event: z.object({ method: z.string(), params: z.unknown() }),
});
export type StatecraftEventParams = z.infer<typeof StatecraftEventParams>;

/** The form an approval elicitation asks the user to fill: whether an accept holds for the rest of the session. */
export const ApprovalFormContent = z.object({
  decision: z.enum(['accept', 'acceptForSession']).optional(),
});

const elicitationBase = {
  message: z.string(),
  requestedSchema: z.record(z.string(), z.unknown()),
  codex_mcp_tool_call_id: z.union([z.string(), z.number()]),
  codex_event_id: z.string(),
  codex_call_id: z.string(),
};

/** `elicitation/create` for a command that needs approval. */
export const ExecApprovalElicitation = z.object({
  ...elicitationBase,
  codex_elicitation: z.literal('exec-approval'),
  codex_command: z.string(),
  codex_cwd: z.string(),
  codex_parsed_cmd: z.array(CommandAction),
});
export type ExecApprovalElicitation = z.infer<typeof ExecApprovalElicitation>;

/** `elicitation/create` for a patch that needs approval. */
export const PatchApprovalElicitation = z.object({
  ...elicitationBase,
  codex_elicitation: z.literal('patch-approval'),
  codex_reason: z.string().nullable(),
  codex_grant_root: z.string().nullable(),
  codex_changes: z.array(FileUpdateChange),
});
export type PatchApprovalElicitation = z.infer<typeof PatchApprovalElicitation>;

/** Codex's review decisions, which clients written for its MCP server answer with instead of an elicitation result. */
const ReviewDecision = z.enum(['approved', 'approved_for_session', 'denied', 'abort']);

/** The client's answer to an approval elicitation: a standard elicitation result. */
export const ElicitationAnswer = z.looseObject({ action: z.enum(['accept', 'decline', 'cancel']), content: z.record(z.string(), z.unknown()).nullish() });

/** Or the `{decision}` clients written for Codex's MCP server answer with. */
export const ReviewDecisionAnswer = z.looseObject({ decision: ReviewDecision });
