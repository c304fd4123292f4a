import type { ModelStreamEvent } from '../../protocol/modelStream.schema.js';
import type { ResponseItem } from '../../protocol/responses.schema.js';
import { classifyStreamError } from './errors.js';
import { turnError, type MapResult, type ModelRequest, type StreamMapper, type WireApi } from './request.js';
import { usageFromResponses } from './usage.js';

/** The JSON body of a streamed Responses API request. */
function responsesBody(req: ModelRequest): Record<string, unknown> {
  const reasoningOn = req.reasoningEffort !== null;
  const body: Record<string, unknown> = {
    model: req.model,
    instructions: req.instructions,
    input: req.input,
    tools: req.tools,
    tool_choice: 'auto',
    parallel_tool_calls: req.parallelToolCalls,
    store: false,
    stream: true,
    include: reasoningOn ? ['reasoning.encrypted_content'] : [],
    prompt_cache_key: req.threadId,
  };
  if (req.verbosity || req.outputSchema) {
    body.text = {
      ...(req.verbosity ? { verbosity: req.verbosity } : {}),
      ...(req.outputSchema ? { format: { type: 'json_schema', name: req.outputSchema.name, schema: req.outputSchema.schema, strict: true } } : {}),
    };
  }
  if (reasoningOn) {
    body.reasoning = {
      effort: req.reasoningEffort,
      ...(req.reasoningSummary !== 'none' ? { summary: req.reasoningSummary } : {}),
    };
  }
  return body;
}

/** Output items the turn machine understands; others (image generation and the like) are skipped. */
const KEPT_ITEMS = new Set(['message', 'reasoning', 'function_call', 'custom_tool_call', 'web_search_call']);

type Json = Record<string, unknown>;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const obj = (value: unknown): Json | null => (typeof value === 'object' && value !== null ? (value as Json) : null);

class ResponsesMapper implements StreamMapper {
  onMessage(event: string | undefined, data: string): MapResult {
    if (data === '[DONE]') return { events: [] };
    let payload: Json;
    try {
      payload = JSON.parse(data) as Json;
    } catch {
      return { events: [] };
    }
    const type = str(payload.type) ?? event ?? '';
    const itemId = str(payload.item_id) ?? '';
    const one = (e: ModelStreamEvent): MapResult => ({ events: [e] });
    switch (type) {
      case 'response.output_item.added': {
        const item = obj(payload.item);
        if (!item || !str(item.type)) return { events: [] };
        return one({ type: 'outputItemAdded', itemType: str(item.type)!, itemId: str(item.id) ?? `item_${num(payload.output_index)}` });
      }
      case 'response.output_text.delta':
        return one({ type: 'outputTextDelta', itemId, delta: str(payload.delta) ?? '' });
      case 'response.reasoning_summary_part.added':
        return one({ type: 'reasoningSummaryPartAdded', itemId, summaryIndex: num(payload.summary_index) });
      case 'response.reasoning_summary_text.delta':
        return one({ type: 'reasoningSummaryTextDelta', itemId, summaryIndex: num(payload.summary_index), delta: str(payload.delta) ?? '' });
      case 'response.reasoning_text.delta':
        return one({ type: 'reasoningTextDelta', itemId, contentIndex: num(payload.content_index), delta: str(payload.delta) ?? '' });
      case 'response.output_item.done': {
        const item = obj(payload.item);
        if (!item || !KEPT_ITEMS.has(str(item.type) ?? '')) return { events: [] };
        return one({ type: 'outputItemDone', item: item as ResponseItem });
      }
      case 'response.completed': {
        const response = obj(payload.response) ?? {};
        return {
          events: [{ type: 'completed', responseId: str(response.id), usage: usageFromResponses(response.usage) }],
          outcome: { kind: 'completed' },
        };
      }
      case 'response.failed': {
        const error = obj(obj(payload.response)?.error) ?? {};
        return { events: [], outcome: classifyStreamError(str(error.code), str(error.message)) };
      }
      case 'response.incomplete': {
        const reason = str(obj(obj(payload.response)?.incomplete_details)?.reason) ?? 'unknown reason';
        return { events: [], outcome: { kind: 'failed', error: turnError(`the model stopped before finishing its response (${reason})`, 'other') } };
      }
      case 'error': {
        const error = obj(payload.error) ?? payload;
        return { events: [], outcome: classifyStreamError(str(error.code), str(error.message)) };
      }
      default:
        return { events: [] };
    }
  }

  onEnd(): MapResult {
    return { events: [] };
  }
}

export function responsesWire(req: ModelRequest): WireApi {
  return { path: '/responses', body: responsesBody(req), createMapper: () => new ResponsesMapper() };
}
