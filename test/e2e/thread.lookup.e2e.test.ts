/** `statecraft exec resume ID`: the full id or a unique prefix of it, never its last group. */
import { readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutFiles } from './appServer/client.js';
import { CLI, execCli, jsonEvents, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const resume = (s: Scene, id: string) =>
  execa('node', [CLI, 'exec', 'resume', id, '--json', '--skip-git-repo-check', ...s.providerFlags, 'again'], {
    reject: false,
    stdin: 'ignore',
    env: { HOME: s.root, STATECRAFT_HOME: s.home, OPENAI_API_KEY: '' },
  });

describe('statecraft exec resume: which thread an id names', () => {
  it('takes a unique prefix, refuses the last group and a shared prefix', async () => {
    const s = (current = await scene({ turns: [[{ text: 'first' }], [{ text: 'second' }]] }));
    const first = await execCli(s, ['--json', 'hello']);
    expect(first.exitCode).toBe(0);
    const id = jsonEvents(first.stdout)[0]!.thread_id as string;

    const tail = await resume(s, id.split('-').at(-1)!);
    expect(tail.exitCode).toBe(1);
    expect(tail.stderr).toContain('no thread with id');
    expect(tail.stderr).toContain('8');
    expect(s.server.requests).toHaveLength(1);

    const byPrefix = await resume(s, id.slice(0, 8));
    expect(byPrefix.exitCode).toBe(0);
    expect(jsonEvents(byPrefix.stdout)[0]).toEqual({ type: 'thread.started', thread_id: id });

    // A second recorded thread whose id starts like the first one.
    const twin = `${id.slice(0, 9)}${id.slice(9).replace(/[0-9a-f]/g, (c) => (c === 'f' ? '0' : 'f'))}`;
    const [file] = await rolloutFiles(s.home);
    await writeFile(file!.replace(id, twin), (await readFile(file!, 'utf8')).replaceAll(id, twin));
    const shared = await resume(s, id.slice(0, 8));
    expect(shared.exitCode).toBe(1);
    expect(shared.stderr).toContain(id);
    expect(shared.stderr).toContain(twin);
    expect(s.server.requests).toHaveLength(2);
  });
});
