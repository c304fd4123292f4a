import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedServer, type Script } from '../../actors/model/index.js';
import { createRuntime, type Runtime } from '../../actors/runtime/index.js';
import { writeMockProviderConfig } from './appServer.js';

/**
 * The real runtime against the scripted model on 127.0.0.1, in a scratch folder that is both its
 * home and the threads' working directory. What must be undone afterwards is pushed on `cleanup`.
 */
export async function scriptedRuntime(script: Script, cleanup: Array<() => Promise<unknown>>, configOverrides: string[] = []): Promise<Runtime> {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-runtime-'));
  const model = await startScriptedServer({ script });
  cleanup.push(
    () => rm(root, { recursive: true, force: true }),
    () => model.close(),
  );
  await writeMockProviderConfig(root, model.url);
  return createRuntime({
    env: { STATECRAFT_HOME: root, HOME: root, PATH: process.env.PATH },
    cwd: root,
    source: 'exec',
    originator: 'test',
    cliVersion: '0.0.0',
    configOverrides,
  });
}
