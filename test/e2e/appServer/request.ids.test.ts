/** Request ids come back exactly as the client wrote them, even where a double cannot hold them. */
import { describe, expect, it } from 'vitest';
import { type Client, scenes, sleep, text } from './client.js';

const scene = scenes();

/** Everything the server wrote, as text: the client's parsed messages would round the ids. */
function rawOutput(c: Client): () => string {
  let out = '';
  c.proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return () => out;
}

async function lineWith(raw: () => string, needle: string): Promise<string> {
  for (let i = 0; i < 300; i += 1) {
    const line = raw()
      .split('\n')
      .find((l) => l.includes(needle));
    if (line) return line;
    await sleep(20);
  }
  throw new Error(`no output line contains ${needle}; got:\n${raw().slice(-2000)}`);
}

describe('app-server: request ids', () => {
  it('echoes numeric ids beyond 2^53 and other spellings digit for digit, in results and errors', async () => {
    const f = await scene.open({ turns: [] });
    const c = scene.connect(f);
    const raw = rawOutput(c);
    await c.init();
    c.writeLine('{"id":12345678901234567890,"method":"model/list","params":{}}');
    expect(await lineWith(raw, '"id":12345678901234567890,')).toContain('"result"');
    c.writeLine('{"method":"no/such/method","params":{"id":1},"id":9007199254740993}');
    expect(await lineWith(raw, '"id":9007199254740993,')).toContain('-32601');
    c.writeLine('{"id":-98765432109876543210,"method":"thread/read","params":{}}');
    expect(await lineWith(raw, '"id":-98765432109876543210,')).toContain('-32602');
    c.writeLine('{"id":1E+2,"method":"model/list","params":{}}');
    expect(await lineWith(raw, '"id":1E+2,')).toContain('"result"');
    // Ordinary ids are untouched.
    expect((await c.request('model/list', {})).result.data.length).toBeGreaterThan(0);
    expect(await c.close()).toBe(0);
  });

  it('takes an answer to its own request only when the id is the one it sent', async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'echo approved-and-ran', sandbox_permissions: 'require_escalated', justification: 'needs it' } }],
        [{ text: 'done' }],
      ],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await c.call('turn/start', { threadId: thread.id, input: text('run it') });
    const asked = await c.waitFor('item/commandExecution/requestApproval');
    // As a double this id is the server's own; as written it is another number.
    const lookalike = asked.id === 0 ? '1e-400' : `${asked.id}.00000000000000000001`;
    c.writeLine(`{"id":${lookalike},"result":{"decision":"decline"}}`);
    c.send({ id: asked.id, result: { decision: 'accept' } });
    const done = await c.waitFor('turn/completed');
    expect(done.params.turn.status).toBe('completed');
    const item = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === asked.params.itemId);
    expect(item.params.item.status).toBe('completed');
    expect(item.params.item.aggregatedOutput).toContain('approved-and-ran');
    expect(c.stderr()).toContain(`unknown server request id ${lookalike}`);
    expect(await c.close()).toBe(0);
  });
});
