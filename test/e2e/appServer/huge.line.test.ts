/** A line over the 64 MiB cap is refused with -32600 and the server keeps serving. */
import { describe, expect, it } from 'vitest';
import { type Client, scenes } from './client.js';

const scene = scenes();

const write = (c: Client, chunk: string | Buffer) =>
  new Promise<void>((resolve, reject) => {
    const ok = c.proc.stdin!.write(chunk, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else c.proc.stdin!.once('drain', () => resolve());
  });

describe('app-server: oversized line', () => {
  it('answers a 65 MiB line with "line too long" and then answers the next request', async () => {
    const f = await scene.open({ turns: [] });
    const c = scene.connect(f);
    await c.init();
    // A request whose params are one long string: only the cap, not JSON parsing, can refuse it.
    const total = 65 * 1024 * 1024;
    const head = '{"id":77,"method":"model/list","params":{"junk":"';
    const tail = '"}}\n';
    await write(c, head);
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    let sent = head.length;
    while (sent + chunk.length < total) {
      await write(c, chunk);
      sent += chunk.length;
    }
    await write(c, Buffer.alloc(total - sent, 'y'));
    await write(c, tail);

    const errorMsg = await new Promise<any>((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        const found = c.messages.find((m) => m.error && /line too long/.test(m.error.message));
        if (found) return resolve(found);
        if (Date.now() - started > 20_000) return reject(new Error(`no "line too long" error; got ${JSON.stringify(c.messages.slice(-3))}`));
        setTimeout(poll, 20);
      };
      poll();
    });
    expect(errorMsg.error.code).toBe(-32600);
    expect(errorMsg.error.message).toContain(`${total + tail.length - 1} bytes`);
    // The line was never parsed, so its id cannot be echoed.
    expect(errorMsg.id).toBeNull();
    expect(c.messages.some((m) => m.id === 77)).toBe(false);

    const after = await c.call('model/list', {});
    expect(Array.isArray(after.data)).toBe(true);
    expect(await c.close()).toBe(0);
  }, 40_000);
});
