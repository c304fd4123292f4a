/**
 * Compaction through the app-server: the contextCompaction item and thread/compacted reach
 * the client, a resumed thread continues from the compacted history, and thread/compact/start
 * compacts on request in a turn of its own.
 */
import { describe, expect, it } from 'vitest';
import { scenes, text } from '../appServer/client.js';

const scene = scenes();

type Json = any;
const inputOf = (request: unknown): Json[] => (request as { input: Json[] }).input;
const compactionEvents = (messages: Json[], turnId: string) =>
  messages.filter(
    (msg) =>
      (msg.method === 'item/started' || msg.method === 'item/completed' || msg.method === 'thread/compacted') &&
      msg.params.turnId === turnId &&
      (msg.method === 'thread/compacted' || msg.params.item.type === 'contextCompaction'),
  );

describe('app-server: context compaction', () => {
  it('compacts a thread past its limit, shows the item, and a resumed thread sends the compacted history', async () => {
    const f = await scene.open({
      turns: [
        { items: [{ text: 'FIRST-ANSWER-MARKER' }], usage: { input: 960, output: 20 } },
        [{ text: 'HANDOFF-SUMMARY: one question answered.' }],
        [{ text: 'second answer' }],
        [{ text: 'third answer' }],
      ],
    });
    const first = scene.connect(f);
    await first.init();
    const { thread } = await first.call('thread/start', { cwd: f.ws, config: { model_context_window: 1000 } });
    const one = await first.call('turn/start', { threadId: thread.id, input: text('first question') });
    await first.waitFor('turn/completed', (m) => m.params.turn.id === one.turn.id);
    const two = await first.call('turn/start', { threadId: thread.id, input: text('second question') });
    const done = await first.waitFor('turn/completed', (m) => m.params.turn.id === two.turn.id);
    expect(done.params.turn.status).toBe('completed');
    expect(compactionEvents(first.messages, two.turn.id).map((msg) => msg.method)).toEqual(['item/started', 'item/completed', 'thread/compacted']);
    // The summary request, then the turn's request with the summary instead of the first answer.
    expect(f.model.requests).toHaveLength(3);
    const compacted = inputOf(f.model.requests[2]);
    expect(JSON.stringify(compacted)).toContain('HANDOFF-SUMMARY');
    expect(JSON.stringify(compacted)).toContain('first question');
    expect(JSON.stringify(compacted)).not.toContain('FIRST-ANSWER-MARKER');
    expect(await first.close()).toBe(0);

    const second = scene.connect(f);
    await second.init();
    await second.call('thread/resume', { threadId: thread.id });
    const three = await second.call('turn/start', { threadId: thread.id, input: text('third question') });
    await second.waitFor('turn/completed', (m) => m.params.turn.id === three.turn.id);
    const resumed = inputOf(f.model.requests[3]);
    // The conversation goes on from the compacted history, the second turn's answer after it.
    expect(resumed.slice(0, compacted.length)).toEqual(compacted);
    expect(JSON.stringify(resumed)).not.toContain('FIRST-ANSWER-MARKER');
    expect(JSON.stringify(resumed)).toContain('second answer');
    expect(await second.close()).toBe(0);
  });

  it('thread/compact/start compacts an idle thread in a turn of its own; an unknown thread is an error', async () => {
    const f = await scene.open({
      turns: [[{ text: 'EARLY-ANSWER-MARKER' }], [{ text: 'HANDOFF-SUMMARY: asked on demand.' }], [{ text: 'after the compaction' }]],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws });
    const one = await c.call('turn/start', { threadId: thread.id, input: text('hello') });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === one.turn.id);
    const from = c.messages.length;
    expect(await c.call('thread/compact/start', { threadId: thread.id })).toEqual({});
    const started = await c.waitFor('turn/started', () => true, 15_000, from);
    const completed = await c.waitFor('turn/completed', (m) => m.params.turn.id === started.params.turn.id, 15_000, from);
    expect(completed.params.turn.status).toBe('completed');
    expect(compactionEvents(c.messages, started.params.turn.id).map((msg) => msg.method)).toEqual(['item/started', 'item/completed', 'thread/compacted']);
    // A compaction turn has no user message.
    expect(c.messages.slice(from).some((msg) => msg.method === 'item/started' && msg.params.item.type === 'userMessage')).toBe(false);
    expect(JSON.stringify(inputOf(f.model.requests[1]))).toContain('EARLY-ANSWER-MARKER');
    const next = await c.call('turn/start', { threadId: thread.id, input: text('go on') });
    await c.waitFor('turn/completed', (m) => m.params.turn.id === next.turn.id);
    expect(JSON.stringify(inputOf(f.model.requests[2]))).toContain('HANDOFF-SUMMARY');
    expect(JSON.stringify(inputOf(f.model.requests[2]))).not.toContain('EARLY-ANSWER-MARKER');
    const unknown = await c.request('thread/compact/start', { threadId: 'no-such-thread' });
    expect(unknown.error).toBeDefined();
    expect(await c.close()).toBe(0);
  });
});
