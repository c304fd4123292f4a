import type { ScriptItem } from './script.schema.js';
import { halves, ids, SCRIPTED_USAGE, textDeltas, type ScriptedUsage, wordPieces, type Emission } from './scripted.items.js';

/** Builds the Chat Completions chunk sequence of one scripted request. */
export class ChatChunks {
  private readonly id: string;
  private toolIndex = 0;
  private sawTools = false;

  constructor(
    private readonly request: number,
    private readonly model: string,
  ) {
    this.id = `chatcmpl_${request}`;
  }

  private chunk(delta: Record<string, unknown>, delayMs = 0, finish: string | null = null): Emission {
    return {
      data: {
        id: this.id,
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model: this.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      },
      delayMs,
    };
  }

  start(): Emission[] {
    return [this.chunk({ role: 'assistant', content: '' })];
  }

  item(item: ScriptItem, index: number): Emission[] {
    if ('text' in item) return textDeltas(item).map((content, n) => this.chunk({ content }, n === 0 ? 0 : (item.delayMs ?? 0)));
    if ('reasoning' in item) return item.reasoning.flatMap((part) => wordPieces(part)).map((reasoning_content) => this.chunk({ reasoning_content }));
    if ('webSearch' in item) return [];
    this.sawTools = true;
    const toolIndex = this.toolIndex++;
    const name = 'call' in item ? item.call : item.custom;
    const args = 'call' in item ? JSON.stringify(item.args) : item.input;
    const [first, ...rest] = halves(args);
    return [
      this.chunk({ tool_calls: [{ index: toolIndex, id: ids(this.request, index).call, type: 'function', function: { name, arguments: first ?? '' } }] }),
      ...rest.map((piece) => this.chunk({ tool_calls: [{ index: toolIndex, function: { arguments: piece } }] })),
    ];
  }

  finish(counts: ScriptedUsage = SCRIPTED_USAGE): Emission[] {
    return [
      this.chunk({}, 0, this.sawTools ? 'tool_calls' : 'stop'),
      {
        data: {
          id: this.id,
          object: 'chat.completion.chunk',
          created: Math.floor(Date.now() / 1000),
          model: this.model,
          choices: [],
          usage: {
            prompt_tokens: counts.input,
            completion_tokens: counts.output,
            total_tokens: counts.input + counts.output,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        },
        delayMs: 0,
      },
      { data: '[DONE]', delayMs: 0 },
    ];
  }

  failed(message: string, code: string | undefined): Emission {
    return { data: { error: { message, type: code ?? 'model_error', code: code ?? null } }, delayMs: 0 };
  }
}
