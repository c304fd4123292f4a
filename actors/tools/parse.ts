import type { z } from 'zod';
import type { ToolCallRequest } from '../../machines/index.js';
import { ExecCommandArgs, UpdatePlanArgs, ViewImageArgs, WriteStdinArgs } from '../../protocol/index.js';

/** A model's tool call with its arguments checked, or why they could not be read. */
export type ParsedToolCall =
  | { tool: 'exec_command'; args: ExecCommandArgs }
  | { tool: 'write_stdin'; args: WriteStdinArgs }
  | { tool: 'update_plan'; args: UpdatePlanArgs }
  | { tool: 'view_image'; args: ViewImageArgs }
  | { tool: 'invalid'; message: string };

const schemas = {
  exec_command: ExecCommandArgs,
  write_stdin: WriteStdinArgs,
  update_plan: UpdatePlanArgs,
  view_image: ViewImageArgs,
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
  let raw: unknown;
  try {
    raw = call.payload.trim() === '' ? {} : JSON.parse(call.payload);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { tool: 'invalid', message: `${name}: failed to parse arguments as JSON: ${reason}` };
  }
  switch (name) {
    case 'exec_command':
      return checked(name, ExecCommandArgs.safeParse(raw));
    case 'write_stdin':
      return checked(name, WriteStdinArgs.safeParse(raw));
    case 'update_plan':
      return checked(name, UpdatePlanArgs.safeParse(raw));
    case 'view_image':
      return checked(name, ViewImageArgs.safeParse(raw));
  }
}
