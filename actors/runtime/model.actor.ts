import { fromCallback, type EventObject } from 'xstate';
import { toModelEvent, type ModelActorInput } from '../../machines/index.js';
import { streamModel } from '../model/index.js';
import { instructionsFor } from '../prompt/index.js';
import { toolSpecs } from '../tools/index.js';

/** One model request for the turn machine: streams what the provider says, stops when the turn stops it. */
export function modelActor(env: NodeJS.ProcessEnv) {
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
          },
          { signal: controller.signal, env },
        );
        for await (const event of stream) {
          if (controller.signal.aborted) return;
          sendBack(toModelEvent(event));
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = `the model client failed: ${error instanceof Error ? error.message : String(error)}`;
        sendBack(toModelEvent({ type: 'failed', error: { message, codexErrorInfo: 'internal', additionalDetails: null } }));
      }
    })();
    return () => controller.abort();
  });
}
