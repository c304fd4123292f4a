import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/** Streamed assistant text: `chunks` are the deltas (default: the whole text), sent `repeat` times. */
const ScriptText = z.strictObject({
  text: z.string(),
  chunks: z.array(z.string()).optional(),
  repeat: z.number().int().min(1).optional(),
  /** Pause before each chunk after the first. */
  delayMs: z.number().min(0).optional(),
});
/** A reasoning item; each string is one summary part. */
const ScriptReasoning = z.strictObject({ reasoning: z.array(z.string()) });
/** A function call; `args` is sent JSON-encoded as the call's arguments. */
const ScriptCall = z.strictObject({ call: z.string().min(1), args: z.record(z.string(), z.unknown()) });
/** A freeform (custom) tool call such as apply_patch. */
const ScriptCustom = z.strictObject({ custom: z.string().min(1), input: z.string() });
/** A hosted web search the model ran (Responses API only; a chat model has no such item). */
const ScriptWebSearch = z.strictObject({ webSearch: z.string() });
export const ScriptItem = z.union([ScriptText, ScriptReasoning, ScriptCall, ScriptCustom, ScriptWebSearch]);
export type ScriptItem = z.infer<typeof ScriptItem>;

/** Answer with an HTTP error and a JSON body `{error: {message, type, code}}`. */
const ScriptErrorTurn = z.strictObject({
  error: z.strictObject({
    status: z.number().int().min(400).max(599),
    message: z.string(),
    retryAfterSeconds: z.number().min(0).optional(),
    code: z.string().optional(),
  }),
});
/** Stream `afterItems` of `items`, then cut the connection without response.completed. */
const ScriptDropTurn = z.strictObject({
  drop: z.strictObject({ afterItems: z.number().int().min(0).optional() }),
  items: z.array(ScriptItem).optional(),
});
/** Stream `items`, then a response.failed event. */
const ScriptFailedTurn = z.strictObject({
  failed: z.strictObject({ message: z.string(), code: z.string().optional() }),
  items: z.array(ScriptItem).optional(),
});
/** Stream `items` and report these token counts in the completion (instead of the fixed small ones). */
const ScriptUsageTurn = z.strictObject({
  items: z.array(ScriptItem),
  usage: z.strictObject({ input: z.number().int().min(0), output: z.number().int().min(0) }),
});
/** What the scripted model does for one request. */
export const ScriptTurn = z.union([z.array(ScriptItem), ScriptErrorTurn, ScriptDropTurn, ScriptFailedTurn, ScriptUsageTurn]);
export type ScriptTurn = z.infer<typeof ScriptTurn>;

/**
 * What `GET /v1/models` answers: the ids of the models served (as an OpenAI-compatible list),
 * an HTTP error, or a raw body (to play a server that answers something else).
 */
const ScriptModels = z.union([z.array(z.string().min(1)), ScriptErrorTurn, z.strictObject({ body: z.string() })]);
export type ScriptModels = z.infer<typeof ScriptModels>;

/** A scripted model: one turn per request, in order; `models` is its model list (one model, "scripted-model", by default). */
export const Script = z.strictObject({ turns: z.array(ScriptTurn), models: ScriptModels.optional() });
export type Script = z.infer<typeof Script>;

/**
 * Reads a script file: `{turns: [...]}`, a bare array of turns, or a conformance
 * scenario.json (its `model_turns`). Errors name the file and what is wrong.
 */
export async function loadScript(path: string): Promise<Script> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the model script ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`the model script ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const candidate = Array.isArray(raw) ? { turns: raw } : typeof raw === 'object' && raw !== null && 'model_turns' in raw ? { turns: raw.model_turns } : raw;
  const parsed = Script.safeParse(candidate);
  if (!parsed.success) {
    throw new Error(`the model script ${path} is not valid (expected {"turns": [...]} or a scenario with "model_turns"):\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
