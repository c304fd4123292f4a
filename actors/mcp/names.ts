import { createHash } from 'node:crypto';

/** The longest tool name the Responses and Chat Completions APIs accept. */
export const MAX_TOOL_NAME = 64;

const PREFIX = 'mcp';
const SEPARATOR = '__';

/**
 * The name the model calls a server's tool by: `mcp__<server>__<tool>`, with every character
 * the APIs refuse replaced by `_`; a name too long is cut and ends with a short hash of the
 * whole, so two long names stay apart and the same tool keeps its name.
 */
export function qualifiedToolName(server: string, tool: string): string {
  const full = [PREFIX, server, tool].join(SEPARATOR);
  const clean = full.replace(/[^A-Za-z0-9_-]/g, '_');
  if (clean.length <= MAX_TOOL_NAME) return clean;
  const hash = createHash('sha1').update(full).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX_TOOL_NAME - hash.length - 1)}_${hash}`;
}
