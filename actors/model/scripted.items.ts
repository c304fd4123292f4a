import type { ScriptItem } from './script.schema.js';

/** One SSE message the scripted server will write, and how long to wait before it. */
export interface Emission {
  data: Record<string, unknown> | '[DONE]';
  delayMs: number;
}

/** The deltas a text item streams: its chunks (or whole text), `repeat` times over. */
export function textDeltas(item: Extract<ScriptItem, { text: string }>): string[] {
  const once = item.chunks && item.chunks.length > 0 ? item.chunks : [item.text];
  const out: string[] = [];
  for (let n = 0; n < (item.repeat ?? 1); n++) out.push(...once);
  return out;
}

/** Word-sized pieces, so summaries stream like a model would send them. */
export const wordPieces = (text: string): string[] => (text === '' ? [''] : text.split(/(?<=\s)/));

/** A string in two halves (for streamed call arguments). */
export function halves(text: string): string[] {
  if (text.length < 2) return [text];
  const middle = Math.floor(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

/** Stable ids: the request number (1-based) and the item's index in the turn. */
export const ids = (request: number, index: number) => ({
  message: `msg_${request}_${index}`,
  reasoning: `rs_${request}_${index}`,
  functionCall: `fc_${request}_${index}`,
  customCall: `ctc_${request}_${index}`,
  webSearch: `ws_${request}_${index}`,
  call: `call_${request}_${index}`,
});

export const SCRIPTED_USAGE = { input: 10, output: 5 };

/** The token counts a scripted response reports. */
export interface ScriptedUsage {
  input: number;
  output: number;
}
