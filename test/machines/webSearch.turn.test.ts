import { describe, expect, it } from 'vitest';
import { turnMachine } from '../../machines/index.js';
import { replayPure } from './harness.js';
import { turnInputFixture } from './fixtures.js';
import { lifecycleViolations } from './invariants.js';

const model = (type: string, extra: object) => ({ type: `model.${type}`, data: { type, ...extra } }) as never;
const prepared = { type: 'xstate.done.actor.prepareTurn', output: { contextItems: [], userItem: { type: 'message', role: 'user', content: [] } } } as never;
const usage = { totalTokens: 15, inputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 };

const items = (emitted: ReturnType<typeof replayPure>['emitted'], method: 'item/started' | 'item/completed') =>
  emitted.flatMap((event) => (event.method === method && event.params.item.type === 'webSearch' ? [event.params.item] : []));

describe('turn machine: the provider’s hosted web search', () => {
  it('opens a webSearch item when the search starts and completes it with the query and action', () => {
    const done = { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'weather in Paris' } };
    const { emitted, snapshot } = replayPure(turnMachine, turnInputFixture(), [
      prepared,
      model('outputItemAdded', { itemType: 'web_search_call', itemId: 'ws_1' }),
      model('outputItemDone', { item: done }),
      model('outputItemDone', { item: { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'Sunny.' }] } }),
      model('completed', { responseId: 'resp_1', usage }),
    ]);
    expect(items(emitted, 'item/started')).toEqual([
      { type: 'webSearch', id: 'ws_1', query: '', action: { type: 'other' }, startedAtMs: expect.any(Number), completedAtMs: null },
    ]);
    expect(items(emitted, 'item/completed')).toEqual([
      {
        type: 'webSearch',
        id: 'ws_1',
        query: 'weather in Paris',
        action: { type: 'search', query: 'weather in Paris' },
        startedAtMs: expect.any(Number),
        completedAtMs: expect.any(Number),
      },
    ]);
    expect(snapshot.status).toBe('done');
    expect(lifecycleViolations(emitted, { finished: true })).toEqual([]);
    // The call stays in the conversation, for the provider to see on the next request.
    expect(snapshot.output?.added).toContainEqual(done);
  });

  it('names opened pages and finds in pages by their URL; a search cut short completes with what was known', () => {
    const { emitted, snapshot } = replayPure(turnMachine, turnInputFixture(), [
      prepared,
      model('outputItemDone', { item: { type: 'web_search_call', id: 'ws_a', action: { type: 'open_page', url: 'https://example.com/a' } } }),
      model('outputItemDone', {
        item: { type: 'web_search_call', id: 'ws_b', action: { type: 'find_in_page', url: 'https://example.com/b', pattern: 'needle' } },
      }),
      model('outputItemAdded', { itemType: 'web_search_call', itemId: 'ws_c' }),
      { type: 'interrupt' } as never,
    ]);
    expect(items(emitted, 'item/completed').map(({ id, query, action }) => ({ id, query, action }))).toEqual([
      { id: 'ws_a', query: 'https://example.com/a', action: { type: 'openPage', url: 'https://example.com/a' } },
      { id: 'ws_b', query: 'https://example.com/b', action: { type: 'findInPage', url: 'https://example.com/b', pattern: 'needle' } },
      { id: 'ws_c', query: '', action: { type: 'other' } },
    ]);
    expect(lifecycleViolations(emitted, { finished: snapshot.status === 'done' })).toEqual([]);
  });
});
