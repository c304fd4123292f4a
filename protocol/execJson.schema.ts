import * as z from 'zod';

/** Items of `statecraft exec --json`, in the snake_case the CLI's JSONL uses. */
export const ExecJsonItem = z.discriminatedUnion('type', [
  z.object({ id: z.string(), type: z.literal('agent_message'), text: z.string() }),
  z.object({ id: z.string(), type: z.literal('reasoning'), text: z.string() }),
  z.object({
    id: z.string(),
    type: z.literal('command_execution'),
    command: z.string(),
    aggregated_output: z.string(),
    exit_code: z.number().int().nullable(),
    status: z.enum(['in_progress', 'completed', 'failed']),
  }),
  z.object({
    id: z.string(),
    type: z.literal('file_change'),
    changes: z.array(z.object({ path: z.string(), kind: z.enum(['add', 'delete', 'update']) })),
    status: z.enum(['in_progress', 'completed', 'failed']),
  }),
  z.object({
    id: z.string(),
    type: z.literal('todo_list'),
    items: z.array(z.object({ text: z.string(), completed: z.boolean() })),
  }),
  z.object({
    id: z.string(),
    type: z.literal('mcp_tool_call'),
    server: z.string(),
    tool: z.string(),
    arguments: z.unknown(),
    result: z.object({ content: z.array(z.unknown()), structured_content: z.unknown() }).optional(),
    error: z.object({ message: z.string() }).optional(),
    status: z.enum(['in_progress', 'completed', 'failed']),
  }),
  z.object({
    id: z.string(),
    type: z.literal('web_search'),
    query: z.string(),
    action: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('search'), query: z.string().nullable().optional(), queries: z.array(z.string()).nullable().optional() }),
        z.object({ type: z.literal('open_page'), url: z.string().nullable().optional() }),
        z.object({ type: z.literal('find_in_page'), url: z.string().nullable().optional(), pattern: z.string().nullable().optional() }),
        z.object({ type: z.literal('other') }),
      ])
      .nullable(),
  }),
  z.object({ id: z.string(), type: z.literal('error'), message: z.string() }),
]);
export type ExecJsonItem = z.infer<typeof ExecJsonItem>;

const ExecJsonUsage = z.object({
  input_tokens: z.number().int(),
  cached_input_tokens: z.number().int(),
  cache_write_input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  reasoning_output_tokens: z.number().int(),
});

/** One line of `statecraft exec --json`. */
export const ExecJsonEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.object({ type: z.literal('turn.started') }),
  z.object({ type: z.literal('item.started'), item: ExecJsonItem }),
  z.object({ type: z.literal('item.updated'), item: ExecJsonItem }),
  z.object({ type: z.literal('item.completed'), item: ExecJsonItem }),
  z.object({ type: z.literal('turn.completed'), usage: ExecJsonUsage }),
  z.object({ type: z.literal('turn.failed'), error: z.object({ message: z.string() }) }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ExecJsonEvent = z.infer<typeof ExecJsonEvent>;
