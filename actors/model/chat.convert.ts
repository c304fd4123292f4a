import { asText } from '../../protocol/text.js';
import type { ContentPart, ResponseItem } from '../../protocol/responses.schema.js';
import type { ToolSpec } from '../../protocol/settings.schema.js';

/** A Chat Completions message, as much of it as we send. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ChatContentPart[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}
type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

const TEXT_PARTS = new Set(['input_text', 'output_text', 'text', 'summary_text']);

/** Content parts in chat form: text stays text, input images become image_url parts. */
function chatParts(parts: ContentPart[]): ChatContentPart[] {
  const out: ChatContentPart[] = [];
  for (const part of parts) {
    if (TEXT_PARTS.has(part.type) && typeof part.text === 'string') out.push({ type: 'text', text: part.text });
    else if (part.type === 'input_image' && typeof part.image_url === 'string') out.push({ type: 'image_url', image_url: { url: part.image_url } });
  }
  return out;
}

/** Text-only content collapses to a plain string, which every provider accepts. */
function chatContent(parts: ContentPart[]): string | ChatContentPart[] {
  const converted = chatParts(parts);
  if (converted.every((part) => part.type === 'text')) return converted.map((part) => (part as { text: string }).text).join('');
  return converted;
}

/** Attaches a tool call to the assistant message just before it, or starts one. */
function pushToolCall(messages: ChatMessage[], call: ChatToolCall): void {
  const last = messages[messages.length - 1];
  if (last && last.role === 'assistant') {
    (last.tool_calls ??= []).push(call);
    return;
  }
  messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}

type Loose = Record<string, unknown>;

/** The conversation as chat messages: instructions first, then the items in order. */
export function chatMessages(instructions: string, items: ResponseItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions.trim() !== '') messages.push({ role: 'system', content: instructions });
  for (const raw of items) {
    const item = raw as Loose;
    switch (item.type) {
      case 'message': {
        const role = item.role === 'assistant' ? 'assistant' : item.role === 'user' ? 'user' : 'system';
        const content = chatContent((item.content as ContentPart[] | undefined) ?? []);
        if (role === 'assistant')
          messages.push({ role, content: typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('') });
        else messages.push({ role, content });
        break;
      }
      case 'function_call':
        pushToolCall(messages, {
          id: String(item.call_id),
          type: 'function',
          function: { name: String(item.name), arguments: asText(item.arguments) },
        });
        break;
      case 'custom_tool_call':
        pushToolCall(messages, { id: String(item.call_id), type: 'function', function: { name: String(item.name), arguments: asText(item.input) } });
        break;
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const output = item.output;
        const content = typeof output === 'string' ? output : Array.isArray(output) ? chatContent(output as ContentPart[]) : JSON.stringify(output);
        messages.push({ role: 'tool', tool_call_id: String(item.call_id), content });
        break;
      }
      default:
        // reasoning and provider-specific items have no chat equivalent
        break;
    }
  }
  return messages;
}

/** Function tools in chat form; freeform (custom) tools have no chat equivalent and are left out. */
export function chatTools(
  tools: ToolSpec[],
): Array<{ type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }> {
  return tools.flatMap((tool) =>
    tool.type === 'function' ? [{ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } }] : [],
  );
}
