import type { ScriptItem } from './script.schema.js';
import { halves, ids, SCRIPTED_USAGE, textDeltas, type ScriptedUsage, wordPieces, type Emission } from './scripted.items.js';

type Json = Record<string, unknown>;

/** Builds the Responses API event sequence of one scripted request. */
export class ResponsesEvents {
  private sequence = 0;
  private readonly responseId: string;

  constructor(
    private readonly request: number,
    private readonly model: string,
  ) {
    this.responseId = `resp_${request}`;
  }

  private emit(type: string, fields: Json, delayMs = 0): Emission {
    return { data: { type, sequence_number: this.sequence++, ...fields }, delayMs };
  }

  private response(status: string, output: Json[], extra: Json = {}): Json {
    return { id: this.responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), status, model: this.model, output, ...extra };
  }

  start(): Emission[] {
    return [
      this.emit('response.created', { response: this.response('in_progress', []) }),
      this.emit('response.in_progress', { response: this.response('in_progress', []) }),
    ];
  }

  /** The events of one output item, and the item as it is when done. */
  item(item: ScriptItem, index: number): { emissions: Emission[]; done: Json } {
    const id = ids(this.request, index);
    const at = { output_index: index };
    if ('text' in item) {
      const item_id = id.message;
      const deltas = textDeltas(item);
      const text = deltas.join('');
      const part = { content_index: 0 };
      const done = { id: item_id, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
      return {
        done,
        emissions: [
          this.emit('response.output_item.added', { ...at, item: { ...done, status: 'in_progress', content: [] } }),
          this.emit('response.content_part.added', { ...at, ...part, item_id, part: { type: 'output_text', text: '', annotations: [] } }),
          ...deltas.map((delta, n) => this.emit('response.output_text.delta', { ...at, ...part, item_id, delta }, n === 0 ? 0 : (item.delayMs ?? 0))),
          this.emit('response.output_text.done', { ...at, ...part, item_id, text }),
          this.emit('response.content_part.done', { ...at, ...part, item_id, part: { type: 'output_text', text, annotations: [] } }),
          this.emit('response.output_item.done', { ...at, item: done }),
        ],
      };
    }
    if ('reasoning' in item) {
      const item_id = id.reasoning;
      const done = { id: item_id, type: 'reasoning', summary: item.reasoning.map((text) => ({ type: 'summary_text', text })) };
      const parts = item.reasoning.flatMap((text, summary_index) => [
        this.emit('response.reasoning_summary_part.added', { ...at, item_id, summary_index, part: { type: 'summary_text', text: '' } }),
        ...wordPieces(text).map((delta) => this.emit('response.reasoning_summary_text.delta', { ...at, item_id, summary_index, delta })),
        this.emit('response.reasoning_summary_text.done', { ...at, item_id, summary_index, text }),
        this.emit('response.reasoning_summary_part.done', { ...at, item_id, summary_index, part: { type: 'summary_text', text } }),
      ]);
      return {
        done,
        emissions: [
          this.emit('response.output_item.added', { ...at, item: { id: item_id, type: 'reasoning', summary: [] } }),
          ...parts,
          this.emit('response.output_item.done', { ...at, item: done }),
        ],
      };
    }
    if ('call' in item) {
      const item_id = id.functionCall;
      const args = JSON.stringify(item.args);
      const done = { id: item_id, type: 'function_call', status: 'completed', call_id: id.call, name: item.call, arguments: args };
      return {
        done,
        emissions: [
          this.emit('response.output_item.added', { ...at, item: { ...done, status: 'in_progress', arguments: '' } }),
          ...halves(args).map((delta) => this.emit('response.function_call_arguments.delta', { ...at, item_id, delta })),
          this.emit('response.function_call_arguments.done', { ...at, item_id, arguments: args }),
          this.emit('response.output_item.done', { ...at, item: done }),
        ],
      };
    }
    if ('webSearch' in item) {
      const item_id = id.webSearch;
      const done = { id: item_id, type: 'web_search_call', status: 'completed', action: { type: 'search', query: item.webSearch } };
      return {
        done,
        emissions: [
          this.emit('response.output_item.added', { ...at, item: { id: item_id, type: 'web_search_call', status: 'in_progress' } }),
          this.emit('response.web_search_call.in_progress', { ...at, item_id }),
          this.emit('response.web_search_call.searching', { ...at, item_id }),
          this.emit('response.web_search_call.completed', { ...at, item_id }),
          this.emit('response.output_item.done', { ...at, item: done }),
        ],
      };
    }
    const item_id = id.customCall;
    const done = { id: item_id, type: 'custom_tool_call', status: 'completed', call_id: id.call, name: item.custom, input: item.input };
    return {
      done,
      emissions: [
        this.emit('response.output_item.added', { ...at, item: { ...done, status: 'in_progress', input: '' } }),
        ...halves(item.input).map((delta) => this.emit('response.custom_tool_call_input.delta', { ...at, item_id, delta })),
        this.emit('response.custom_tool_call_input.done', { ...at, item_id, input: item.input }),
        this.emit('response.output_item.done', { ...at, item: done }),
      ],
    };
  }

  completed(output: Json[], counts: ScriptedUsage = SCRIPTED_USAGE): Emission {
    const usage = {
      input_tokens: counts.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: counts.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: counts.input + counts.output,
    };
    return this.emit('response.completed', { response: this.response('completed', output, { usage }) });
  }

  failed(message: string, code: string | undefined): Emission {
    return this.emit('response.failed', { response: this.response('failed', [], { error: { code: code ?? null, message } }) });
  }
}
