import { describe, expect, it } from 'vitest';
import { chatMessages, chatTools } from '../../../actors/model/chat.convert.js';
import { streamModel } from '../../../actors/model/index.js';
import type { ToolSpec } from '../../../protocol/settings.schema.js';
import { collect, ofType, provider, request, serve, TEST_ENV } from './helpers.js';

const execTool: ToolSpec = {
  type: 'function',
  name: 'exec_command',
  description: 'Run a command',
  strict: false,
  parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
};
const patchTool: ToolSpec = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Patch files',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' },
};

describe('streamModel over the Chat Completions API', () => {
  it('streams text and tool calls from the scripted server', async () => {
    const server = await serve({
      turns: [[{ reasoning: ['Hmm, let me see.'] }, { text: 'Running it.', chunks: ['Run', 'ning it.'] }, { call: 'exec_command', args: { cmd: 'echo hi' } }]],
    });
    const req = request(provider(server.url, { wireApi: 'chat' }), { tools: [execTool, patchTool] });
    const events = await collect(streamModel(req, { signal: new AbortController().signal, env: TEST_ENV }));
    expect(server.paths[0]).toBe('/v1/chat/completions');
    expect(server.requests[0]).toMatchObject({
      model: 'test-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      tools: [{ type: 'function', function: { name: 'exec_command', description: 'Run a command' } }],
    });
    expect((server.requests[0] as { tools: unknown[] }).tools).toHaveLength(1);

    expect(
      ofType(events, 'reasoningTextDelta')
        .map((d) => d.delta)
        .join(''),
    ).toBe('Hmm, let me see.');
    const textDeltas = ofType(events, 'outputTextDelta');
    expect(textDeltas.map((d) => d.delta)).toEqual(['Run', 'ning it.']);
    const added = ofType(events, 'outputItemAdded');
    expect(added.map((a) => a.itemType)).toEqual(['reasoning', 'message', 'function_call']);
    expect(textDeltas[0]!.itemId).toBe(added[1]!.itemId);
    const done = ofType(events, 'outputItemDone').map((e) => e.item);
    expect(done).toMatchObject([
      { type: 'reasoning', content: [{ text: 'Hmm, let me see.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running it.' }] },
      { type: 'function_call', call_id: 'call_1_2', name: 'exec_command', arguments: '{"cmd":"echo hi"}' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'completed', responseId: 'chatcmpl_1', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } });
  });

  it('retries a dropped chat stream', async () => {
    const server = await serve({ turns: [{ drop: { afterItems: 1 }, items: [{ text: 'cut' }] }, [{ text: 'whole' }]] });
    const events = await collect(streamModel(request(provider(server.url, { wireApi: 'chat' })), { signal: new AbortController().signal, env: TEST_ENV }));
    expect(ofType(events, 'retrying')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('fails on an error chunk in a chat stream', async () => {
    const server = await serve({ turns: [{ failed: { message: 'model exploded' } }] });
    const events = await collect(streamModel(request(provider(server.url, { wireApi: 'chat' })), { signal: new AbortController().signal, env: TEST_ENV }));
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { message: expect.stringContaining('model exploded') } });
  });
});

describe('chat conversion', () => {
  it('maps response items to chat messages', () => {
    const messages = chatMessages('sys', [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev note' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'look' },
          { type: 'input_image', image_url: 'data:image/png;base64,AAA' },
        ],
      },
      { type: 'reasoning', summary: [] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
      { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
      { type: 'function_call', call_id: 'c2', name: 'exec_command', arguments: '{"cmd":"pwd"}' },
      { type: 'function_call_output', call_id: 'c1', output: 'a\nb' },
      { type: 'function_call_output', call_id: 'c2', output: '/tmp' },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'system', content: 'dev note' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
          { id: 'c2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"pwd"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'a\nb' },
      { role: 'tool', tool_call_id: 'c2', content: '/tmp' },
    ]);
  });

  it('offers only function tools', () => {
    expect(chatTools([execTool, patchTool])).toEqual([
      { type: 'function', function: { name: 'exec_command', description: 'Run a command', parameters: execTool.parameters } },
    ]);
  });
});
