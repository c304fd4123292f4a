import type { ReasoningEffort, ReasoningSummary, Verbosity } from '../../protocol/common.schema.js';
import type { ModelStreamEvent } from '../../protocol/modelStream.schema.js';
import type { ResponseItem } from '../../protocol/responses.schema.js';
import type { ProviderSettings, ToolSpec } from '../../protocol/settings.schema.js';
import type { CodexErrorInfo, TurnError } from '../../protocol/thread.schema.js';

/** One request to the model, independent of the wire API that carries it. */
export interface ModelRequest {
  provider: ProviderSettings;
  model: string;
  threadId: string;
  instructions: string;
  input: ResponseItem[];
  tools: ToolSpec[];
  reasoningEffort: ReasoningEffort | null;
  reasoningSummary: ReasoningSummary;
  parallelToolCalls: boolean;
  /** How long the answers should be (Responses API only); the model's own default when absent. */
  verbosity?: Verbosity | null;
  /** Asks for a JSON answer that fits this schema (structured output) instead of free text. */
  outputSchema?: { name: string; schema: Record<string, unknown> };
}

export interface StreamOptions {
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Sent as `user-agent`: the client that drives the thread, when a server knows it. */
  userAgent?: string;
  /** The statecraft home, where `statecraft login` stored a key; without it no stored key is looked up. */
  home?: string;
}

/** Which retry budget an attempt's failure draws from. */
type RetryKind = 'request' | 'stream';

/** How one HTTP attempt ended. */
export type AttemptOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; error: TurnError }
  | {
      kind: 'retry';
      budget: RetryKind;
      /** What went wrong, in words, without the "retrying" part. */
      message: string;
      /** The delay the server asked for, if it asked. */
      delayMs: number | null;
      httpStatus: number | null;
      /** No HTTP response at all (refused, reset, DNS...). */
      connection?: boolean;
    }
  | { kind: 'aborted' };

/** What a wire-specific parser makes of one SSE message or of the end of the stream. */
export interface MapResult {
  events: ModelStreamEvent[];
  /** Set when this message ends the attempt (completed, failed or retryable failure). */
  outcome?: AttemptOutcome;
}

/** Turns the SSE messages of one attempt into model stream events. */
export interface StreamMapper {
  onMessage(event: string | undefined, data: string): MapResult;
  /** The body ended cleanly; an outcome-less result means the stream was cut short. */
  onEnd(): MapResult;
}

/** A wire API: where to POST, what to send, how to read the answer. */
export interface WireApi {
  path: string;
  body: Record<string, unknown>;
  createMapper(): StreamMapper;
}

export const turnError = (message: string, codexErrorInfo: CodexErrorInfo | null = null, additionalDetails: string | null = null): TurnError => ({
  message,
  codexErrorInfo,
  additionalDetails,
});
