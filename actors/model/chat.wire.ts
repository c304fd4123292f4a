import { randomUUID } from 'node:crypto';
import type { TokenUsageBreakdown } from '../../protocol/common.schema.js';
import type { ModelStreamEvent } from '../../protocol/modelStream.schema.js';
import { chatMessages, chatTools } from './chat.convert.js';
import { classifyStreamError } from './errors.js';
import type { MapResult, ModelRequest, StreamMapper, WireApi } from './request.js';
import { usageFromChat } from './usage.js';

/** The JSON body of a streamed Chat Completions request. */
function chatBody(req: ModelRequest): Record<string, unknown> {
  const tools = chatTools(req.tools);
  return {
    model: req.model,
    messages: chatMessages(req.instructions, req.input),
    stream: true,
    stream_options: { include_usage: true },
    ...(tools.length > 0 ? { tools, tool_choice: 'auto', parallel_tool_calls: req.parallelToolCalls } : {}),
    ...(req.outputSchema
      ? { response_format: { type: 'json_schema', json_schema: { name: req.outputSchema.name, schema: req.outputSchema.schema, strict: true } } }
      : {}),
  };
}

type Json = Record<string, unknown>;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const obj = (value: unknown): Json | null => (typeof value === 'object' && value !== null ? (value as Json) : null);

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Chat streams carry no item structure, so this builds it: one assistant message and one
 * reasoning item with synthetic ids, and function calls assembled by their index.
 */
class ChatMapper implements StreamMapper {
  private readonly tag = randomUUID().slice(0, 8);
  private text: string | null = null;
  private reasoning: string | null = null;
  private readonly calls = new Map<number, PendingCall>();
  private finished = false;
  private usage: TokenUsageBreakdown | null = null;
  private responseId: string | null = null;

  private get messageId() {
    return `msg_chat_${this.tag}`;
  }
  private get reasoningId() {
    return `rs_chat_${this.tag}`;
  }

  onMessage(_event: string | undefined, data: string): MapResult {
    if (data.trim() === '[DONE]') return this.finish();
    let chunk: Json;
    try {
      chunk = JSON.parse(data) as Json;
    } catch {
      return { events: [] };
    }
    const error = obj(chunk.error);
    if (error) return { events: [], outcome: classifyStreamError(str(error.code) ?? str(error.type), str(error.message)) };
    this.responseId ??= str(chunk.id);
    if (chunk.usage) this.usage = usageFromChat(chunk.usage);
    const events: ModelStreamEvent[] = [];
    for (const choice of Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : []) {
      const c = obj(choice) ?? {};
      const delta = obj(c.delta) ?? {};
      const thought = str(delta.reasoning_content) ?? str(delta.reasoning);
      if (thought) {
        if (this.reasoning === null) {
          this.reasoning = '';
          events.push({ type: 'outputItemAdded', itemType: 'reasoning', itemId: this.reasoningId });
        }
        this.reasoning += thought;
        events.push({ type: 'reasoningTextDelta', itemId: this.reasoningId, contentIndex: 0, delta: thought });
      }
      const content = str(delta.content);
      if (content) {
        if (this.text === null) {
          this.text = '';
          events.push({ type: 'outputItemAdded', itemType: 'message', itemId: this.messageId });
        }
        this.text += content;
        events.push({ type: 'outputTextDelta', itemId: this.messageId, delta: content });
      }
      for (const raw of Array.isArray(delta.tool_calls) ? (delta.tool_calls as unknown[]) : []) {
        const call = obj(raw) ?? {};
        const index = typeof call.index === 'number' ? call.index : this.calls.size;
        const pending = this.calls.get(index) ?? { id: '', name: '', args: '' };
        const fn = obj(call.function) ?? {};
        if (str(call.id)) pending.id = str(call.id)!;
        if (str(fn.name)) pending.name += str(fn.name)!;
        if (str(fn.arguments)) pending.args += str(fn.arguments)!;
        this.calls.set(index, pending);
      }
      if (str(c.finish_reason)) this.finished = true;
    }
    return { events };
  }

  /** A clean end without [DONE] still counts when the model said it was finished. */
  onEnd(): MapResult {
    return this.finished ? this.finish() : { events: [] };
  }

  private finish(): MapResult {
    const events: ModelStreamEvent[] = [];
    if (this.reasoning !== null) {
      events.push({
        type: 'outputItemDone',
        item: { type: 'reasoning', id: this.reasoningId, summary: [], content: [{ type: 'reasoning_text', text: this.reasoning }] },
      });
    }
    if (this.text !== null) {
      events.push({
        type: 'outputItemDone',
        item: { type: 'message', id: this.messageId, role: 'assistant', content: [{ type: 'output_text', text: this.text }] },
      });
    }
    const indexes = [...this.calls.keys()].sort((a, b) => a - b);
    for (const index of indexes) {
      const call = this.calls.get(index)!;
      const callId = call.id || `call_chat_${this.tag}_${index}`;
      const itemId = `fc_chat_${this.tag}_${index}`;
      events.push({ type: 'outputItemAdded', itemType: 'function_call', itemId });
      events.push({ type: 'outputItemDone', item: { type: 'function_call', id: itemId, call_id: callId, name: call.name, arguments: call.args } });
    }
    events.push({ type: 'completed', responseId: this.responseId, usage: this.usage });
    return { events, outcome: { kind: 'completed' } };
  }
}

export function chatWire(req: ModelRequest): WireApi {
  return { path: '/chat/completions', body: chatBody(req), createMapper: () => new ChatMapper() };
}
