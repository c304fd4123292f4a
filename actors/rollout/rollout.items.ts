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
 * Rebuilds a model conversation from the items a turn showed the client, for turns whose
 * recorded history is missing (the process died before the turn finished). Only the user's
 * messages and the agent's answers are kept: enough for the next request to carry the
 * conversation on.
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
