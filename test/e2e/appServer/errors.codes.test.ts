/** Client mistakes in thread settings come back as invalid params, not internal errors. */
import { describe, expect, it } from 'vitest';
import { scenes } from './client.js';

const scene = scenes();

describe('app-server: error codes for bad thread settings', () => {
  it('thread/start with a cwd that does not exist is -32602 naming the directory', async () => {
    const f = await scene.open({ turns: [] });
    const c = scene.connect(f);
    await c.init();
    const missing = `${f.root}/no/such/dir`;
    const answer = await c.request('thread/start', { cwd: missing });
    expect(answer.error?.message).toContain(missing);
    // docs/PROTOCOL.md: invalid params is -32602; -32603 is for the server's own failures.
    expect(answer.error?.code).toBe(-32602);
  });

  it('thread/start with a config override of the wrong type is -32602', async () => {
    const f = await scene.open({ turns: [] });
    const c = scene.connect(f);
    await c.init();
    const answer = await c.request('thread/start', { cwd: f.ws, config: { model_reasoning_effort: 12 } });
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toContain('model_reasoning_effort');
  });
});
