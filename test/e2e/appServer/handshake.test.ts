/** Framing and handshake rules seen from a real process. */
import { describe, expect, it } from 'vitest';
import { scenes } from './client.js';

const scene = scenes();

describe('app-server: handshake and framing', () => {
  it('refuses work before initialize, accepts pipelined requests after it, and echoes ids as given', async () => {
    const f = await scene.open({ turns: [] });
    const c = scene.connect(f);
    const early = await c.request('model/list', {});
    expect(early.error).toMatchObject({ code: -32600, message: 'Not initialized' });

    // initialize and a request right behind it, without waiting in between.
    c.send({ id: 'init-ä', method: 'initialize', params: { clientInfo: { name: 'pipe', version: '9' } }, jsonrpc: '2.0' });
    c.send({ method: 'initialized' });
    c.send({ id: 'after-init', method: 'thread/list', params: {} });
    const init = await c.response('init-ä');
    expect(init.result.codexHome).toBe(f.home);
    expect(init.result.userAgent).toMatch(/^pipe\//);
    expect(init).not.toHaveProperty('jsonrpc');
    const list = await c.response('after-init');
    expect(list.result).toEqual({ data: [], nextCursor: null });

    const again = await c.request('initialize', { clientInfo: { name: 'pipe', version: '9' } });
    expect(again.error?.message).toBe('Already initialized');

    c.writeLine('{not json');
    c.send({ id: 0, method: 'no/such/method', params: {} });
    const unknown = await c.response(0);
    expect(unknown.error.code).toBe(-32601);
    const parseError = c.messages.find((m) => m.error?.code === -32700);
    expect(parseError?.id).toBeNull();

    const badParams = await c.request('thread/read', { includeTurns: 'yes' });
    expect(badParams.error.code).toBe(-32602);
    expect(badParams.error.message).toMatch(/threadId/);

    for (const m of c.messages.filter((m) => 'method' in m && !('id' in m))) expect(typeof m.emittedAtMs).toBe('number');
    expect(await c.close()).toBe(0);
  });
});
