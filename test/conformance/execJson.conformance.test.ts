import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer } from '../../actors/model/index.js';
import { fieldPaths } from './compare.js';
import { FIXTURES, loadScenario, prepareWorkspace } from './runner.js';

const CLI = resolve(import.meta.dirname, '../../dist/adapters/cli/main.js');

/** The reference's `exec --json` lines: ids, paths and times are placeholders, so compare types, item kinds and field names. */
const shape = (line: Record<string, any>) => ({ type: line.type, item: line.item?.type ?? null, fields: [...fieldPaths(line)].sort() });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'statecraft-execjson-'));
  await prepareWorkspace(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('exec --json conformance with the reference transcripts', () => {
  for (const name of ['14a-exec-json-text', '14b-exec-json-exec-auto']) {
    it(name, async () => {
      const scenario = await loadScenario(name);
      const model = await startScriptedServer({ script: { turns: scenario.model_turns } });
      try {
        const result = await execa(
          'node',
          [
            CLI,
            'exec',
            '--json',
            '-C',
            join(root, 'ws'),
            '-s',
            'workspace-write',
            '-c',
            'model_provider="mock"',
            '-c',
            'model_providers.mock.name="mock"',
            '-c',
            `model_providers.mock.base_url="${model.url}"`,
            'go',
          ],
          { reject: false, stdin: 'ignore', env: { HOME: root, STATECRAFT_HOME: join(root, `home-${name}`), OPENAI_API_KEY: '' } },
        );
        expect(result.exitCode, String(result.stderr)).toBe(0);
        const ours = String(result.stdout)
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line));
        const reference = (await readFile(join(FIXTURES, name, 'transcript.norm.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line));
        expect(ours.map(shape)).toEqual(reference.map(shape));
        // Item ids are numbered from item_0 in order of appearance, as the reference does.
        expect(ours.filter((line) => line.item).map((line) => line.item.id)).toEqual(reference.filter((line) => line.item).map((line) => line.item.id));
        expect(ours.at(-1)).toEqual(reference.at(-1));
      } finally {
        await model.close();
      }
    });
  }
});
