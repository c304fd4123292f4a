import type { ContentPart, ResponseItem, ThreadItem, UserInput } from '../../protocol/index.js';

/** The preview a thread shows: the first text input of a user message ("" when it has none). */
export function previewOf(item: ThreadItem): string | null {
  if (item.type !== 'userMessage') return null;
  for (const input of item.content) {
    if (input.type === 'text') return input.text;
  }
  return '';
}

function userPart(input: UserInput): ContentPart {
  switch (input.type) {
    case 'text':
      return { type: 'input_text', text: input.text };
    case 'image':
      return { type: 'input_image', image_url: input.url };
    case 'localImage':
      // The bytes are not kept in the rollout; tell the model what was attached.
      return { type: 'input_text', text: `[image attached from ${input.path}]` };
    case 'skill':
      return { type: 'input_text', text: `[skill ${input.name} at ${input.path}]` };
  }
}

/**
 * Rebuilds a model conversation from the items a turn showed the client, for turns of
 * older rollout files that recorded their history only when the turn finished (so a turn
 * cut off by a crash has none). Only the user's messages and the agent's answers are kept:
 * enough for the next request to carry the conversation on.
 */
export function historyFromItems(items: readonly ThreadItem[]): ResponseItem[] {
  const out: ResponseItem[] = [];
  for (const item of items) {
    if (item.type === 'userMessage') {
      const content = item.content.map(userPart);
      if (content.length > 0) out.push({ type: 'message', role: 'user', content });
    } else if (item.type === 'agentMessage') {
      if (item.text.length > 0) {
        out.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: item.text }] });
      }
    }
  }
  return out;
}

/** What a call that never got its output (the process died while it ran) answers, as Codex does. */
const ABORTED_OUTPUT = 'aborted';

const OUTPUT_OF: Record<string, string> = { function_call: 'function_call_output', custom_tool_call: 'custom_tool_call_output' };

/**
 * The conversation with an "aborted" output right after every tool call that has none:
 * the Responses API refuses a request whose calls are not all answered.
 */
export function answerOpenCalls(history: readonly ResponseItem[]): ResponseItem[] {
  const answered = new Set(
    history.flatMap((item) => (Object.values(OUTPUT_OF).includes(item.type) && typeof item['call_id'] === 'string' ? [`${item.type}:${item['call_id']}`] : [])),
  );
  return history.flatMap((item): ResponseItem[] => {
    const outputType = OUTPUT_OF[item.type];
    const callId = item['call_id'];
    if (!outputType || typeof callId !== 'string' || answered.has(`${outputType}:${callId}`)) return [item];
    return [item, { type: outputType, call_id: callId, output: ABORTED_OUTPUT }];
  });
}
