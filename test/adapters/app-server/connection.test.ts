import { describe, expect, it } from 'vitest';
import { RpcError, type Handlers } from '../../../adapters/app-server/index.js';
import { createHarness, initializeParams } from './harness.js';

const okInit = async () => ({ userAgent: 'ua', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' });

describe('app-server connection: handshake', () => {
  it('refuses requests before initialize and a second initialize', async () => {
    const h = createHarness();
    h.send({ id: 1, method: 'model/list', params: {} });
    expect(await h.response(1)).toEqual({ id: 1, error: { code: -32600, message: 'Not initialized' } });
    h.send({ id: 2, method: 'initialize', params: initializeParams });
    expect((await h.response(2))['result']).toMatchObject({ userAgent: 'ua' });
    h.send({ id: 3, method: 'initialize', params: initializeParams });
    expect(await h.response(3)).toEqual({ id: 3, error: { code: -32600, message: 'Already initialized' } });
    await h.end();
  });

  it('holds lines pipelined behind initialize until it has answered', async () => {
    let answered = false;
    const slowInit = async () => {
      await new Promise((done) => setTimeout(done, 50));
      answered = true;
      return { userAgent: 'ua', codexHome: '/h', platformFamily: 'unix', platformOs: 'linux' };
    };
    let seenInitialized = false;
    const h = createHarness({
      handlers: {
        initialize: slowInit,
        onInitialized: () => void (seenInitialized = answered),
        'model/list': async () => ({ data: [], nextCursor: null }),
      } as unknown as Handlers,
    });
    h.send({ id: 1, method: 'initialize', params: initializeParams });
    h.send({ method: 'initialized' });
    h.send({ id: 2, method: 'model/list', params: {} });
    expect((await h.response(2))['result']).toEqual({ data: [], nextCursor: null });
    expect(h.received.findIndex((m) => m['id'] === 1)).toBeLessThan(h.received.findIndex((m) => m['id'] === 2));
    expect(seenInitialized).toBe(true);
    await h.end();
  });

  it('calls onInitialized for the initialized notification and logs unknown notifications', async () => {
    let count = 0;
    const h = createHarness({ handlers: { initialize: okInit, onInitialized: () => void (count += 1) } as unknown as Handlers });
    await h.initialize();
    h.send({ method: 'something/else', params: {} });
    await h.end();
    expect(count).toBe(1);
    expect(h.logs.some((l) => l.includes('something/else'))).toBe(true);
    expect(h.received).toHaveLength(1);
  });

  it('lets a failed initialize be retried', async () => {
    let calls = 0;
    const h = createHarness({
      handlers: {
        initialize: async () => {
          calls += 1;
          if (calls === 1) throw new Error('boom');
          return okInit();
        },
      },
    });
    h.send({ id: 1, method: 'initialize', params: initializeParams });
    expect(await h.response(1)).toEqual({ id: 1, error: { code: -32603, message: 'boom' } });
    h.send({ id: 2, method: 'initialize', params: initializeParams });
    expect(await h.response(2)).toHaveProperty('result');
    await h.end();
  });
});

describe('app-server connection: errors', () => {
  it('answers malformed JSON with -32700 and id null, and keeps serving', async () => {
    const h = createHarness();
    h.send('{"id": 1, "method": ');
    const parse = await h.response(null);
    expect(parse['error']['code']).toBe(-32700);
    expect(parse['error']['message']).toMatch(/^Parse error: /);
    await h.initialize();
    expect(h.received.some((m) => m['id'] === 'init' && m['result'])).toBe(true);
    await h.end();
  });

  it('answers non-messages with -32600, using the id when it can be read', async () => {
    const h = createHarness();
    h.send('[1,2]');
    h.send('42');
    h.send({ id: 7, foo: 1 });
    h.send({ id: 8, method: 5 });
    h.send({ id: { x: 1 }, method: 'model/list' });
    await h.end();
    expect(h.received).toEqual([
      { id: null, error: { code: -32600, message: expect.any(String) } },
      { id: null, error: { code: -32600, message: expect.any(String) } },
      { id: 7, error: { code: -32600, message: expect.any(String) } },
      { id: 8, error: { code: -32600, message: expect.any(String) } },
      { id: null, error: { code: -32600, message: expect.any(String) } },
    ]);
  });

  it('names unknown methods and invalid fields, accepts a jsonrpc field, never sends one', async () => {
    const h = createHarness({
      handlers: { initialize: okInit, 'thread/read': async () => ({ thread: {} }) } as unknown as Handlers,
    });
    await h.initialize();
    h.send({ jsonrpc: '2.0', id: 1, method: 'no/such' });
    expect(await h.response(1)).toEqual({ id: 1, error: { code: -32601, message: 'Method not found: no/such' } });
    h.send({ id: 2, method: 'thread/read', params: { threadId: 5 } });
    const bad = await h.response(2);
    expect(bad['error']['code']).toBe(-32602);
    expect(bad['error']['message']).toContain('threadId');
    h.send({ id: 3, method: 'thread/read' });
    expect((await h.response(3))['error']['message']).toContain('threadId');
    h.send({ jsonrpc: '2.0', id: 4, method: 'thread/read', params: { threadId: 't' } });
    expect(await h.response(4)).toEqual({ id: 4, result: { thread: {} } });
    await h.end();
    for (const m of h.received) expect(m).not.toHaveProperty('jsonrpc');
  });

  it('a method with no handler is not found', async () => {
    const h = createHarness();
    await h.initialize();
    h.send({ id: 1, method: 'model/list', params: {} });
    expect((await h.response(1))['error']).toEqual({ code: -32601, message: 'Method not found: model/list' });
    await h.end();
  });

  it('maps handler failures: RpcError keeps its code and data, other errors are -32603', async () => {
    const h = createHarness({
      handlers: {
        initialize: okInit,
        'turn/interrupt': async () => {
          throw new RpcError(-32600, 'no active turn to interrupt', { why: 'idle' });
        },
        'model/list': async () => {
          throw new TypeError('kaput');
        },
        'thread/list': async () => {
          throw Object.assign(new Error('fs'), { code: 'ENOENT' });
        },
      } as unknown as Handlers,
    });
    await h.initialize();
    h.send({ id: 1, method: 'turn/interrupt', params: { threadId: 't', turnId: 'u' } });
    h.send({ id: 2, method: 'model/list', params: {} });
    h.send({ id: 3, method: 'thread/list', params: {} });
    expect(await h.response(1)).toEqual({ id: 1, error: { code: -32600, message: 'no active turn to interrupt', data: { why: 'idle' } } });
    expect(await h.response(2)).toEqual({ id: 2, error: { code: -32603, message: 'kaput' } });
    expect(await h.response(3)).toEqual({ id: 3, error: { code: -32603, message: 'fs' } });
    await h.end();
  });

  it('echoes string and number ids as given', async () => {
    const h = createHarness({ handlers: { initialize: okInit, 'model/list': async () => ({ data: [], nextCursor: null }) } as unknown as Handlers });
    await h.initialize();
    h.send({ id: 'abc', method: 'model/list', params: {} });
    h.send({ id: 0, method: 'model/list', params: {} });
    h.send({ id: '0', method: 'model/list', params: {} });
    expect(await h.response('abc')).toEqual({ id: 'abc', result: { data: [], nextCursor: null } });
    expect(await h.response(0)).toEqual({ id: 0, result: { data: [], nextCursor: null } });
    expect(await h.response('0')).toEqual({ id: '0', result: { data: [], nextCursor: null } });
    await h.end();
  });
});

describe('app-server connection: concurrency and server requests', () => {
  it('a slow handler does not hold up a fast one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = createHarness({
      handlers: {
        initialize: okInit,
        'thread/list': async () => {
          await gate;
          return { data: [], nextCursor: null };
        },
        'model/list': async () => ({ data: [], nextCursor: null }),
      } as unknown as Handlers,
    });
    await h.initialize();
    h.send({ id: 'slow', method: 'thread/list', params: {} });
    h.send({ id: 'fast', method: 'model/list', params: {} });
    await h.response('fast');
    h.connection.notify('turn/started', { threadId: 'x' });
    await h.next((m) => m['method'] === 'turn/started');
    expect(h.received.some((m) => m['id'] === 'slow')).toBe(false);
    release();
    await h.response('slow');
    const order = h.received.map((m) => m['id'] ?? m['method']);
    expect(order.indexOf('fast')).toBeLessThan(order.indexOf('slow'));
    await h.end();
  });

  it('stamps notifications with emittedAtMs', async () => {
    const h = createHarness();
    const before = Date.now();
    h.connection.notify('thread/status/changed', { threadId: 't', status: { type: 'idle' } });
    const m = await h.next((x) => x['method'] === 'thread/status/changed');
    expect(m['params']).toEqual({ threadId: 't', status: { type: 'idle' } });
    expect(m['emittedAtMs']).toBeGreaterThanOrEqual(before);
    await h.end();
  });

  it('numbers server requests from 0 and routes answers by id', async () => {
    const h = createHarness();
    const a = h.connection.sendRequest('item/fileChange/requestApproval', { n: 'a' });
    const b = h.connection.sendRequest('item/fileChange/requestApproval', { n: 'b' });
    expect([a.id, b.id]).toEqual([0, 1]);
    const sent = await h.next((m) => m['id'] === 1 && m['method'] !== undefined);
    expect(sent).toEqual({ id: 1, method: 'item/fileChange/requestApproval', params: { n: 'b' } });
    h.send({ id: 1, result: { decision: 'decline' } });
    h.send({ id: 0, error: { code: -1, message: 'nope' } });
    h.send({ id: 99, result: {} });
    await expect(b.response).resolves.toEqual({ decision: 'decline' });
    await expect(a.response).rejects.toMatchObject({ code: -1, message: 'nope' });
    await h.end();
    expect(h.logs.some((l) => l.includes('unknown server request id 99'))).toBe(true);
    // Replies never get answered.
    expect(h.received.filter((m) => !('method' in m))).toHaveLength(0);
  });

  it('ignores a late answer to a cancelled request', async () => {
    const h = createHarness();
    const a = h.connection.sendRequest('item/fileChange/requestApproval', {});
    expect(h.connection.cancelRequest(a.id)).toBe(true);
    await expect(a.response).rejects.toMatchObject({ reason: 'cancelled' });
    h.send({ id: a.id, result: { decision: 'accept' } });
    await h.end();
    expect(h.logs.some((l) => l.includes(`unknown server request id ${a.id}`))).toBe(true);
  });

  it('at EOF rejects pending server requests, awaits onClose, then resolves closed', async () => {
    const steps: string[] = [];
    const h = createHarness({
      handlers: {
        initialize: okInit,
        onClose: async () => {
          steps.push('onClose');
          h.connection.notify('goodbye', {});
        },
      } as unknown as Handlers,
    });
    const a = h.connection.sendRequest('item/fileChange/requestApproval', {});
    a.response.catch(() => steps.push('rejected'));
    await h.end();
    steps.push('closed');
    expect(steps.slice().sort()).toEqual(['closed', 'onClose', 'rejected']);
    expect(steps.at(-1)).toBe('closed');
    expect(h.received.at(-1)?.['method']).toBe('goodbye');
  });

  it('survives an onClose that throws', async () => {
    const h = createHarness({
      handlers: {
        onClose: async () => {
          throw new Error('bad close');
        },
      },
    });
    await h.end();
    expect(h.logs.some((l) => l.includes('bad close'))).toBe(true);
  });
});
