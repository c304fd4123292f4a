/** What a compaction keeps of a conversation, and how a summary request that is too long is shortened. */
import { describe, expect, it } from 'vitest';
import { compactedHistory, compactionRequest, withoutOldestExchange } from '../../../actors/prompt/index.js';
import type { ResponseItem } from '../../../protocol/index.js';

const message = (role: string, text: string): ResponseItem => ({
  type: 'message',
  role,
  content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }],
});
const call = (id: string): ResponseItem => ({ type: 'function_call', call_id: id, name: 'exec_command', arguments: '{}' });
const output = (id: string): ResponseItem => ({ type: 'function_call_output', call_id: id, output: 'ok' });
const texts = (items: ResponseItem[]) => items.map((item) => JSON.stringify(item.content ?? item.type));

const developer = message('developer', 'be careful');
const agents = message('user', '# AGENTS.md instructions for /ws\n\n<INSTRUCTIONS>\nrun tests\n</INSTRUCTIONS>');
const env1 = message('user', '<environment_context>\n  <cwd>/a</cwd>\n</environment_context>');
const env2 = message('user', '<environment_context>\n  <cwd>/b</cwd>\n</environment_context>');
const conversation = [
  developer,
  agents,
  env1,
  message('user', 'first'),
  call('c1'),
  output('c1'),
  message('assistant', 'answer'),
  env2,
  message('user', 'second'),
];

describe('compaction', () => {
  it('keeps the context, the latest environment and the user messages, then the summary; drops calls and answers', () => {
    const history = compactedHistory(conversation, 'SUMMARY', 10_000);
    expect(history.slice(0, 5)).toEqual([developer, agents, env2, message('user', 'first'), message('user', 'second')]);
    expect(JSON.stringify(history.at(-1))).toContain('SUMMARY');
    expect(history).toHaveLength(6);
    expect(JSON.stringify(history)).not.toContain('function_call');
    expect(JSON.stringify(history)).not.toContain('answer');
  });

  it('keeps only the newest user messages that fit a small limit, cutting the newest when it alone does not fit', () => {
    const long = message('user', `${'a'.repeat(2000)}THE-END`);
    const kept = compactedHistory([message('user', 'older'), long], 'S', 200);
    expect(texts(kept).join()).not.toContain('older');
    expect(texts(kept).join()).toContain('THE-END');
    expect(texts(kept).join()).toContain('was cut');
    expect(JSON.stringify(kept).length).toBeLessThan(1000);
  });

  it('a later compaction replaces the earlier summary instead of keeping it as a user message', () => {
    const first = compactedHistory(conversation, 'OLD-SUMMARY', 10_000);
    const second = compactedHistory([...first, message('user', 'third')], 'NEW-SUMMARY', 10_000);
    expect(JSON.stringify(second)).not.toContain('OLD-SUMMARY');
    expect(JSON.stringify(second)).toContain('third');
  });

  it('asks for the summary after the whole conversation, with the configured prompt or ours', () => {
    expect(compactionRequest(conversation, 'Sum up.').at(-1)).toEqual(message('user', 'Sum up.'));
    expect(JSON.stringify(compactionRequest(conversation, null).at(-1))).toContain('handoff note');
  });

  it('shortens a summary request by its oldest exchange, keeping context and call pairs, until one is left', () => {
    const shorter = withoutOldestExchange(conversation)!;
    expect(shorter).toEqual([developer, agents, env1, env2, message('user', 'second')]);
    expect(withoutOldestExchange(shorter)).toBeNull();
  });
});
