import { fromCallback, fromPromise, type EventObject } from 'xstate';
import { toModelEvent, type CompactInput, type CompactionResult, type ModelActorInput, type TextDeltasEvent } from '../../machines/index.js';
import { streamModel, type ModelRequest } from '../model/index.js';
import { compactedHistory, compactionRequest, instructionsFor, withoutOldestExchange } from '../prompt/index.js';
import { toolSpecs } from '../tools/specs.js';
import { errorMessage, type ResponseItem, type ThreadSettings, type TokenUsageBreakdown, type ToolSpec } from '../../protocol/index.js';

/** The name the final answer's schema goes by, as Codex names it. */
const OUTPUT_SCHEMA_NAME = 'codex_output_schema';

/** What a thread's model requests carry besides the turn's input: the home a stored key is read from and the client's user agent. */
interface RequestContext {
  home: string;
  userAgent?: string | undefined;
}

/** The transport options of a request: its signal, the environment, the stored key's home and the user agent. */
const transport = (signal: AbortSignal, env: NodeJS.ProcessEnv, { home, userAgent }: RequestContext) => ({
  signal,
  env,
  home,
  ...(userAgent ? { userAgent } : {}),
});

/** A model request's context, and the tools of MCP servers (awaited per request). */
interface ModelActorOptions extends RequestContext {
  extraTools?: () => Promise<ToolSpec[]>;
}

/** A request with the thread's model, instructions and tools. */
const requestFor = (threadId: string, settings: ThreadSettings, input: ResponseItem[]): ModelRequest => ({
  provider: settings.provider,
  model: settings.model,
  threadId,
  instructions: instructionsFor(settings),
  input,
  tools: toolSpecs(settings),
  reasoningEffort: settings.reasoningEffort,
  reasoningSummary: settings.reasoningSummary,
  parallelToolCalls: true,
  verbosity: settings.verbosity,
});

/** One model request for the turn machine: streams what the provider says, stops when the turn stops it. */
export function modelActor(env: NodeJS.ProcessEnv, { extraTools = () => Promise.resolve([]), ...context }: ModelActorOptions) {
  return fromCallback<EventObject, ModelActorInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const { settings } = input;
    void (async () => {
      try {
        // MCP servers still inside their startup time are waited for (each bounded by it).
        const mcpTools = await extraTools();
        if (controller.signal.aborted) return;
        const stream = streamModel(
          {
            ...requestFor(input.threadId, settings, input.input),
            tools: [...toolSpecs(settings), ...mcpTools],
            ...(settings.outputSchema ? { outputSchema: { name: OUTPUT_SCHEMA_NAME, schema: settings.outputSchema } } : {}),
          },
          transport(controller.signal, env, context),
        );
        // Text deltas read together (one chunk of the stream) go to the turn as one event, sent
        // before anything else the stream says and at the latest once the chunk is handled.
        let run = null as TextDeltasEvent | null;
        const flush = () => {
          const pending = run;
          run = null;
          if (pending && !controller.signal.aborted) sendBack(pending);
        };
        for await (const event of stream) {
          if (controller.signal.aborted) return;
          if (event.type !== 'outputTextDelta') {
            flush();
            sendBack(toModelEvent(event));
          } else if (run?.data.itemId === event.itemId) {
            run.data.deltas.push(event.delta);
          } else {
            flush();
            run = { type: 'model.outputTextDeltas', data: { itemId: event.itemId, deltas: [event.delta] } };
            setImmediate(flush);
          }
        }
        flush();
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = `the model client failed: ${errorMessage(error)}`;
        sendBack(toModelEvent({ type: 'failed', error: { message, codexErrorInfo: 'internal', additionalDetails: null } }));
      }
    })();
    return () => controller.abort();
  });
}

const outputText = (item: ResponseItem): string =>
  item.type === 'message' && Array.isArray(item.content)
    ? (item.content as Array<{ type?: unknown; text?: unknown }>)
        .map((part) => (part.type === 'output_text' && typeof part.text === 'string' ? part.text : ''))
        .join('')
    : '';

type SummaryAttempt = { summary: string; usage: TokenUsageBreakdown | null } | { tooLong: true; message: string };

/** One summary request: the text the model answered, or that the request was too long. */
async function requestSummary(
  input: CompactInput,
  conversation: ResponseItem[],
  signal: AbortSignal,
  env: NodeJS.ProcessEnv,
  context: RequestContext,
): Promise<SummaryAttempt> {
  const request = requestFor(input.threadId, input.settings, compactionRequest(conversation, input.settings.compactPrompt));
  let text = '';
  for await (const event of streamModel(request, transport(signal, env, context))) {
    if (event.type === 'outputItemDone') text += outputText(event.item);
    if (event.type === 'failed') {
      if (event.error.codexErrorInfo === 'contextWindowExceeded') return { tooLong: true, message: event.error.message };
      throw new Error(event.error.message);
    }
    if (event.type === 'completed') {
      if (text.trim() === '') throw new Error('the model answered the summary request without any text');
      return { summary: text.trim(), usage: event.usage };
    }
  }
  throw new Error(signal.aborted ? 'the summary request was stopped' : 'the summary stream ended before the response completed');
}

/**
 * Compaction for the turn machine: a separate request asks for a handoff summary; when that
 * request is itself too long, the oldest exchanges are left out of it one at a time.
 */
export function compactActor(env: NodeJS.ProcessEnv, context: RequestContext) {
  return fromPromise<CompactionResult, CompactInput>(async ({ input, signal }) => {
    let conversation: ResponseItem[] | null = input.input;
    let lastRefusal = '';
    while (conversation) {
      const attempt = await requestSummary(input, conversation, signal, env, context);
      if (!('tooLong' in attempt)) {
        return {
          summary: attempt.summary,
          usage: attempt.usage,
          history: compactedHistory(input.input, attempt.summary, input.settings.autoCompactTokenLimit),
        };
      }
      lastRefusal = attempt.message;
      conversation = withoutOldestExchange(conversation);
    }
    throw new Error(`even the shortest summary request was too long for the model (${lastRefusal})`);
  });
}
