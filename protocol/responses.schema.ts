import * as z from 'zod';

/**
 * Items of a Responses API conversation: what the model produced and what we send back.
 * Kept loose (unknown keys pass through) because providers add fields we must echo back
 * unchanged, such as reasoning `encrypted_content`.
 */
export const ContentPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.string().optional(),
});
export type ContentPart = z.infer<typeof ContentPart>;

const MessageItem = z.looseObject({
  type: z.literal('message'),
  id: z.string().optional(),
  role: z.enum(['user', 'assistant', 'developer', 'system']),
  content: z.array(ContentPart),
});

const ReasoningResponseItem = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().optional(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).default([]),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).optional(),
  encrypted_content: z.string().nullable().optional(),
});

const FunctionCallItem = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});

const CustomToolCallItem = z.looseObject({
  type: z.literal('custom_tool_call'),
  id: z.string().optional(),
  call_id: z.string(),
  name: z.string(),
  input: z.string(),
});

const FunctionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: z.union([z.string(), z.array(ContentPart)]),
});

const CustomToolCallOutputItem = z.looseObject({
  type: z.literal('custom_tool_call_output'),
  call_id: z.string(),
  output: z.string(),
});

const OtherResponseItem = z.looseObject({ type: z.string() });

export const ResponseItem = z.union([
  MessageItem,
  ReasoningResponseItem,
  FunctionCallItem,
  CustomToolCallItem,
  FunctionCallOutputItem,
  CustomToolCallOutputItem,
  OtherResponseItem,
]);
export type ResponseItem = z.infer<typeof ResponseItem>;
type MessageItem = z.infer<typeof MessageItem>;
type ReasoningResponseItem = z.infer<typeof ReasoningResponseItem>;
type FunctionCallItem = z.infer<typeof FunctionCallItem>;
type CustomToolCallItem = z.infer<typeof CustomToolCallItem>;
type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItem>;
