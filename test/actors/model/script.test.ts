import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScript, loadScript, Script } from '../../../actors/model/index.js';
import { serve } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statecraft-script-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('model scripts', () => {
  it('loads the model turns of a conformance scenario', async () => {
    const file = join(dir, 'scenario.json');
    await writeFile(
      file,
      JSON.stringify({
        model_turns: [[{ custom: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' }], [{ text: 'Added file.', chunks: ['Added file.'] }]],
        client: { steps: [] },
      }),
    );
    const script = await loadScript(file);
    expect(script.turns).toHaveLength(2);
    expect(script.turns[1]).toEqual([{ text: 'Added file.', chunks: ['Added file.'] }]);
  });

  it('loads a plain {turns} script', async () => {
    const file = join(dir, 'plain.json');
    await writeFile(file, JSON.stringify({ turns: [{ error: { status: 500, message: 'x' } }, [{ reasoning: ['r'] }]] }));
    expect((await loadScript(file)).turns).toHaveLength(2);
  });

  it('names the file and the problem for a bad script', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ turns: [[{ txt: 'typo' }]] }));
    await expect(loadScript(bad)).rejects.toThrow(/bad\.json[\s\S]*turns/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ not json');
    await expect(loadScript(broken)).rejects.toThrow(/broken\.json is not valid JSON/);
    await expect(loadScript(join(dir, 'missing.json'))).rejects.toThrow(/cannot read the model script .*missing\.json/);
  });

  it('has a valid demo script', () => {
    expect(() => Script.parse(demoScript)).not.toThrow();
    expect(demoScript.turns).toHaveLength(2);
  });

  it('lists a model on GET /v1/models and 404s elsewhere', async () => {
    const server = await serve({ turns: [] });
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data[0]!.id).toBe('scripted-model');
    expect((await fetch(`${server.url}/nowhere`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(server.requests).toHaveLength(0);
  });

  it('streams SSE events one by one as the real API does', async () => {
    const server = await serve({ turns: [[{ text: 'ab', chunks: ['a', 'b'], delayMs: 50 }]] });
    const response = await fetch(`${server.url}/responses`, { method: 'POST', body: JSON.stringify({ model: 'm' }) });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    const types = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });
});
