import type { z } from 'zod';
import type { ToolCallRequest } from '../../machines/index.js';
import { errorMessage, ApplyPatchArgs, ExecCommandArgs, UpdatePlanArgs, ViewImageArgs, WriteStdinArgs } from '../../protocol/index.js';
import { extractPatchInvocation } from '../patch/index.js';

/** A model's tool call with its arguments checked, or why they could not be read. */
export type ParsedToolCall =
  | { tool: 'exec_command'; args: ExecCommandArgs }
  | { tool: 'write_stdin'; args: WriteStdinArgs }
  | { tool: 'update_plan'; args: UpdatePlanArgs }
  | { tool: 'view_image'; args: ViewImageArgs }
  /**
   * A patch, from the freeform tool, the function form, or a shell call that only runs
   * apply_patch; `workdirs` are where that call moved (its workdir, a leading `cd`), in order.
   */
  | { tool: 'apply_patch'; patch: string; workdirs: string[] }
  | { tool: 'invalid'; message: string };

const schemas = {
  exec_command: ExecCommandArgs,
  write_stdin: WriteStdinArgs,
  update_plan: UpdatePlanArgs,
  view_image: ViewImageArgs,
  apply_patch: ApplyPatchArgs,
} as const;

type ToolName = keyof typeof schemas;

const isToolName = (name: string): name is ToolName => Object.hasOwn(schemas, name);

/** One line per problem: `field.path: message`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Pairs a tool's name with its parsed args, or names every field that was wrong. */
function checked<T extends ToolName, A>(tool: T, result: z.ZodSafeParseResult<A>): { tool: T; args: A } | { tool: 'invalid'; message: string } {
  if (result.success) return { tool, args: result.data };
  return { tool: 'invalid', message: `${tool}: invalid arguments: ${describeIssues(result.error)}` };
}

/** Reads a call's JSON arguments against its tool's schema. */
export function parseToolArgs(call: ToolCallRequest): ParsedToolCall {
  const name = call.name;
  if (!isToolName(name)) return { tool: 'invalid', message: `unsupported call: ${name}` };
  if (name === 'apply_patch' && call.kind === 'custom') return { tool: 'apply_patch', patch: call.payload, workdirs: [] };
  let raw: unknown;
  try {
    raw = call.payload.trim() === '' ? {} : JSON.parse(call.payload);
  } catch (error) {
    const reason = errorMessage(error);
    return { tool: 'invalid', message: `${name}: failed to parse arguments as JSON: ${reason}` };
  }
  switch (name) {
    case 'exec_command': {
      const parsed = checked(name, ExecCommandArgs.safeParse(raw));
      // `apply_patch <<'EOF' ... EOF` through the shell is a patch, not a command to run.
      if (parsed.tool !== 'exec_command') return parsed;
      const invocation = extractPatchInvocation(parsed.args.cmd);
      if (invocation === null) return parsed;
      const workdirs = [parsed.args.workdir, invocation.cd].filter((part): part is string => Boolean(part));
      return { tool: 'apply_patch', patch: invocation.patch, workdirs };
    }
    case 'apply_patch': {
      const parsed = checked(name, ApplyPatchArgs.safeParse(raw));
      return parsed.tool === 'apply_patch' ? { tool: 'apply_patch', patch: parsed.args.input, workdirs: [] } : parsed;
    }
    case 'write_stdin':
      return checked(name, WriteStdinArgs.safeParse(raw));
    case 'update_plan':
      return checked(name, UpdatePlanArgs.safeParse(raw));
    case 'view_image':
      return checked(name, ViewImageArgs.safeParse(raw));
  }
}
