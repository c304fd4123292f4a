/** Models through the built CLI: `models list`, the upgrade notice in exec's output, and reasoning efforts the model does not support. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, execCli, jsonEvents, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
const open = async (script: Parameters<typeof scene>[0]) => (current = await scene(script));
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const NOTICE =
  'Model gpt-5-codex has a newer version: gpt-5.1-codex. To switch, choose gpt-5.1-codex as the model ' +
  '(`-m gpt-5.1-codex`, `model = "gpt-5.1-codex"` in config.toml, or `model` in thread/start).';

const modelsList = (s: Scene, args: string[]) =>
  execa('node', [CLI, 'models', 'list', '-C', s.workspace, ...s.providerFlags, ...args], {
    reject: false,
    env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '' },
  });

describe('statecraft models list', () => {
  it("lists the provider's models merged with the catalog, as text and as JSON", async () => {
    const s = await open({ turns: [], models: ['llama3.1:8b', 'gpt-5.1-codex-mini', 'gpt-5'] });
    const text = await modelsList(s, []);
    expect(text.exitCode, String(text.stderr)).toBe(0);
    expect(text.stdout).toBe(
      [
        'gpt-5.1-codex-mini  A smaller, cheaper coding model for routine changes.',
        '  reasoning efforts: medium, high (default medium)',
        'llama3.1:8b  Served by scripted (owned by statecraft).',
      ].join('\n'),
    );
    expect(text.stderr).toBe('');

    const json = await modelsList(s, ['--json', '--include-hidden']);
    expect(json.exitCode, String(json.stderr)).toBe(0);
    const listed = JSON.parse(String(json.stdout));
    expect(listed.provider).toBe('scripted');
    expect(listed.data.map((model: { id: string }) => model.id)).toEqual(['gpt-5.1-codex-mini', 'gpt-5', 'llama3.1:8b']);
    expect(s.server.modelListHeaders).toHaveLength(2);
  });

  it('says on stderr why it lists the built-in models when the provider answers something else', async () => {
    const s = await open({ turns: [], models: { error: { status: 503, message: 'loading model weights' } } });
    const result = await modelsList(s, ['--json']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout)).data.map((model: { id: string }) => model.id)).toContain('gpt-5.1-codex');
    expect(result.stderr).toBe(
      `warning: could not list the models of provider "scripted" (scripted): GET ${s.server.url}/models answered HTTP 503: loading model weights. Showing the built-in models instead.`,
    );
  });

  it('names an unknown provider', async () => {
    const s = await open({ turns: [] });
    const result = await modelsList(s, ['--provider', 'nowhere']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^statecraft models list: .*unknown provider "nowhere"; known providers: /);
  });
});

describe('statecraft exec and models', () => {
  it('shows the upgrade notice of an older model once, in the transcript and in --json', async () => {
    const s = await open({ turns: [[{ text: 'Done.' }], [{ text: 'Done again.' }]] });
    const human = await execCli(s, ['-m', 'gpt-5-codex', 'hello']);
    expect(human.exitCode, String(human.stderr)).toBe(0);
    expect(String(human.stderr).split(`warning: ${NOTICE}`)).toHaveLength(2);

    const json = await execCli(s, ['--json', '-m', 'gpt-5-codex', 'hello']);
    expect(json.exitCode, String(json.stderr)).toBe(0);
    const notices = jsonEvents(json.stdout).filter((event) => event.item?.type === 'error');
    expect(notices.map((event) => event.item.message)).toEqual([NOTICE]);

    // The current model has none.
    const plain = await execCli(s, ['--json', 'hello']);
    expect(jsonEvents(plain.stdout).filter((event) => event.item?.type === 'error')).toEqual([]);
  });

  it('refuses a reasoning effort the model does not support, from -c or from config.toml, before asking the model', async () => {
    const s = await open({ turns: [[{ text: 'never reached' }]] });
    const flag = await execCli(s, ['-c', 'model_reasoning_effort="xhigh"', 'hello']);
    expect(flag.exitCode).toBe(1);
    expect(flag.stderr).toContain(
      '-c: model_reasoning_effort: model gpt-5.1-codex does not support reasoning effort "xhigh"; it supports low, medium, high (default medium); ' +
        "the model is the built-in default. Set model_reasoning_effort to one of the supported efforts, or leave it unset to use the model's default.",
    );

    await writeFile(join(s.home, 'config.toml'), 'model_reasoning_effort = "minimal"\n');
    const file = await execCli(s, ['--json', '-m', 'gpt-5.1-codex-max', 'hello']);
    expect(file.exitCode).toBe(1);
    // The file is named from the home directory (HOME is the scene's root).
    expect(file.stderr).toContain(
      `~/home/config.toml: model_reasoning_effort: model gpt-5.1-codex-max does not support reasoning effort "minimal"; it supports low, medium, high, xhigh`,
    );
    // A model the catalog does not know takes it.
    const unknown = await execCli(s, ['-m', 'local-model', 'hello']);
    expect(unknown.exitCode, String(unknown.stderr)).toBe(0);
    expect(s.server.requests).toHaveLength(1);
    expect(s.server.requests[0]).toMatchObject({ model: 'local-model', reasoning: { effort: 'minimal' } });
  });
});
