import { fromCallback, type EventObject } from 'xstate';
import { toModelEvent, type ModelActorInput } from '../../machines/index.js';
import { streamModel } from '../model/index.js';
import { instructionsFor } from '../prompt/index.js';
import { toolSpecs } from '../tools/index.js';
import { errorMessage } from '../../protocol/index.js';

/** The name the final answer's schema goes by, as Codex names it. */
const OUTPUT_SCHEMA_NAME = 'codex_output_schema';

/** One model request for the turn machine: streams what the provider says, stops when the turn stops it. */
export function modelActor(env: NodeJS.ProcessEnv, home: string) {
  return fromCallback<EventObject, ModelActorInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const { settings } = input;
    void (async () => {
      try {
        const stream = streamModel(
          {
            provider: settings.provider,
            model: settings.model,
            threadId: input.threadId,
            instructions: instructionsFor(settings),
            input: input.input,
            tools: toolSpecs(settings),
            reasoningEffort: settings.reasoningEffort,
            reasoningSummary: settings.reasoningSummary,
            parallelToolCalls: true,
            verbosity: settings.verbosity,
            ...(settings.outputSchema ? { outputSchema: { name: OUTPUT_SCHEMA_NAME, schema: settings.outputSchema } } : {}),
          },
          { signal: controller.signal, env, home },
        );
        for await (const event of stream) {
          if (controller.signal.aborted) return;
          sendBack(toModelEvent(event));
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = `the model client failed: ${errorMessage(error)}`;
        sendBack(toModelEvent({ type: 'failed', error: { message, codexErrorInfo: 'internal', additionalDetails: null } }));
      }
    })();
    return () => controller.abort();
  });
}
