import { describe, expect, it } from 'vitest';
import { ModelStreamEvent } from '../../../protocol/modelStream.schema.js';
import { ofType, run } from './helpers.js';

describe('streamModel over the Responses API', () => {
  it('streams text deltas that reassemble into the final message', async () => {
    const { events } = await run({ turns: [[{ text: 'Hello there.', chunks: ['Hel', 'lo ', 'there.'] }]] });
    for (const event of events) expect(() => ModelStreamEvent.parse(event)).not.toThrow();
    expect(events[0]).toEqual({ type: 'outputItemAdded', itemType: 'message', itemId: 'msg_1_0' });
    const deltas = ofType(events, 'outputTextDelta');
    expect(deltas.map((d) => d.delta)).toEqual(['Hel', 'lo ', 'there.']);
    const done = ofType(events, 'outputItemDone')[0]!.item as { content: Array<{ text: string }> };
    expect(done.content[0]!.text).toBe(deltas.map((d) => d.delta).join(''));
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('repeats chunks when asked', async () => {
    const { events } = await run({ turns: [[{ text: 'ab', chunks: ['a', 'b'], repeat: 3 }]] });
    expect(
      ofType(events, 'outputTextDelta')
        .map((d) => d.delta)
        .join(''),
    ).toBe('ababab');
  });

  it('reports reasoning summary parts and their text', async () => {
    const { events } = await run({ turns: [[{ reasoning: ['First part.', 'Second part here.'] }, { text: 'Done.' }]] });
    expect(ofType(events, 'reasoningSummaryPartAdded')).toEqual([
      { type: 'reasoningSummaryPartAdded', itemId: 'rs_1_0', summaryIndex: 0 },
      { type: 'reasoningSummaryPartAdded', itemId: 'rs_1_0', summaryIndex: 1 },
    ]);
    const deltas = ofType(events, 'reasoningSummaryTextDelta');
    expect(
      deltas
        .filter((d) => d.summaryIndex === 1)
        .map((d) => d.delta)
        .join(''),
    ).toBe('Second part here.');
    const done = ofType(events, 'outputItemDone').map((e) => e.item);
    expect(done[0]).toMatchObject({ type: 'reasoning', id: 'rs_1_0', summary: [{ type: 'summary_text', text: 'First part.' }, { text: 'Second part here.' }] });
    expect(done[1]).toMatchObject({ type: 'message', id: 'msg_1_1' });
  });

  it('delivers function calls and custom tool calls as items', async () => {
    const { events } = await run({
      turns: [
        [
          { call: 'exec_command', args: { cmd: 'ls -la' } },
          { custom: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' },
        ],
      ],
    });
    expect(ofType(events, 'outputItemAdded').map((e) => e.itemType)).toEqual(['function_call', 'custom_tool_call']);
    const [call, custom] = ofType(events, 'outputItemDone').map((e) => e.item);
    expect(call).toMatchObject({ type: 'function_call', id: 'fc_1_0', call_id: 'call_1_0', name: 'exec_command', arguments: '{"cmd":"ls -la"}' });
    expect(custom).toMatchObject({ type: 'custom_tool_call', call_id: 'call_1_1', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' });
  });

  it('reports usage and the response id on completion', async () => {
    const { events } = await run({ turns: [[{ text: 'x' }]] });
    expect(events.at(-1)).toEqual({
      type: 'completed',
      responseId: 'resp_1',
      usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0, totalTokens: 15 },
    });
  });

  it('sends the request body the Responses API expects', async () => {
    const { server } = await run({ turns: [[{ text: 'x' }]] });
    expect(server.paths[0]).toBe('/v1/responses');
    expect(server.requests[0]).toMatchObject({
      model: 'test-model',
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user' }],
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'thread-1',
    });
    expect(server.headers[0]).toMatchObject({ accept: 'text/event-stream', originator: 'statecraft', session_id: 'thread-1' });
  });

  it('answers with a note once the script is used up', async () => {
    const { events } = await run({ turns: [] });
    expect(
      ofType(events, 'outputTextDelta')
        .map((d) => d.delta)
        .join(''),
    ).toBe('(scripted model: no more turns in the script)');
  });
});
