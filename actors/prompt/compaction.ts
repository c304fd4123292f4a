import type { ResponseItem } from '../../protocol/index.js';
import { estimateTokens } from '../../machines/index.js';
import { ENVIRONMENT_CONTEXT_OPEN } from './environment.context.js';

/** What the model is asked when `compact_prompt` is not set. */
const DEFAULT_COMPACT_PROMPT = [
  'The conversation has grown too long for your context window. Write a handoff note for the assistant who carries on from here:',
  'it will see this note and the latest user messages, and nothing else of the conversation.',
  '',
  'Include:',
  "- the user's goal and every constraint or preference they stated;",
  '- what has been done so far: files read or changed (with paths), commands run and what they showed, decisions taken and why;',
  '- what is still open: the next steps, failing tests, errors not yet solved, questions waiting on the user;',
  '- exact names, paths, identifiers and values that the work depends on.',
  '',
  'Be concise and factual. Do not call any tool: answer with the note only.',
].join('\n');

/** Opens the message that carries a summary, so the model (and a later compaction) knows what it is. */
const SUMMARY_OPEN = 'Earlier parts of this conversation were compacted to fit the context window. The handoff note written at that point:';

const AGENTS_OPEN = '# AGENTS.md instructions for ';

/** The most user-message text a compacted history keeps, in tokens (the budget shrinks with a small window). */
const USER_MESSAGES_MAX_TOKENS = 20_000;

const CUT_NOTE = '\n[… the start of this message was cut to fit the compacted conversation]';

const textMessage = (role: 'user', text: string): ResponseItem => ({ type: 'message', role, content: [{ type: 'input_text', text }] });

function messageText(item: ResponseItem): string | null {
  if (item.type !== 'message' || !Array.isArray(item.content)) return null;
  return (item.content as Array<{ text?: unknown }>).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

type Kind = 'instructions' | 'agents' | 'environment' | 'summary' | 'user' | 'other';

/** What a conversation item is to a compaction: context the model always needs, a user's message, or the rest. */
function kindOf(item: ResponseItem): Kind {
  if (item.type !== 'message') return 'other';
  if (item['role'] === 'developer') return 'instructions';
  if (item['role'] !== 'user') return 'other';
  const text = messageText(item) ?? '';
  if (text.startsWith(ENVIRONMENT_CONTEXT_OPEN)) return 'environment';
  if (text.startsWith(AGENTS_OPEN)) return 'agents';
  if (text.startsWith(SUMMARY_OPEN)) return 'summary';
  return 'user';
}

/** The request for a summary: the whole conversation, then the prompt as the user's last message. */
export const compactionRequest = (conversation: readonly ResponseItem[], prompt: string | null): ResponseItem[] => [
  ...conversation,
  textMessage('user', prompt ?? DEFAULT_COMPACT_PROMPT),
];

/** The user's latest messages, newest first, while they fit `budget` tokens; the newest is cut to fit when it alone does not. */
function recentUserMessages(conversation: readonly ResponseItem[], budget: number): ResponseItem[] {
  const kept: ResponseItem[] = [];
  let left = budget;
  for (const item of [...conversation].reverse()) {
    if (kindOf(item) !== 'user') continue;
    const cost = estimateTokens([item]);
    if (cost <= left) {
      kept.unshift(item);
      left -= cost;
      continue;
    }
    if (kept.length === 0) {
      const text = messageText(item) ?? '';
      const chars = Math.max(0, left * 4 - CUT_NOTE.length - 64);
      kept.unshift(textMessage('user', text.slice(text.length - chars) + CUT_NOTE));
    }
    break;
  }
  return kept;
}

/**
 * The conversation after a compaction: the context every request needs (developer
 * instructions, AGENTS.md, the latest environment), the user's recent messages within
 * budget, then the summary. `limit` is the thread's compaction limit (null: none known).
 */
export function compactedHistory(conversation: readonly ResponseItem[], summary: string, limit: number | null): ResponseItem[] {
  const context = conversation.filter((item) => ['instructions', 'agents'].includes(kindOf(item)));
  const environment = conversation.filter((item) => kindOf(item) === 'environment').at(-1);
  const budget = Math.min(USER_MESSAGES_MAX_TOKENS, limit !== null ? Math.floor(limit / 4) : USER_MESSAGES_MAX_TOKENS);
  return [
    ...context.filter((item, index) => context.findIndex((other) => messageText(other) === messageText(item)) === index),
    ...(environment ? [environment] : []),
    ...recentUserMessages(conversation, budget),
    textMessage('user', `${SUMMARY_OPEN}\n\n${summary}`),
  ];
}

/**
 * The conversation without its oldest exchange (everything from the first user message
 * up to the next one), for a summary request that was itself too long; null when only
 * one exchange is left. Context items stay, and calls keep their outputs.
 */
export function withoutOldestExchange(conversation: readonly ResponseItem[]): ResponseItem[] | null {
  const isExchangeStart = (item: ResponseItem) => ['user', 'summary'].includes(kindOf(item));
  const first = conversation.findIndex(isExchangeStart);
  if (first < 0) return null;
  const next = conversation.findIndex((item, index) => index > first && isExchangeStart(item));
  if (next < 0) return null;
  const dropped = conversation.slice(first, next).filter((item) => ['instructions', 'agents', 'environment'].includes(kindOf(item)));
  return [...conversation.slice(0, first), ...dropped, ...conversation.slice(next)];
}
