import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeSandbox } from '../../actors/exec/index.js';
import { demoScript, startScriptedServer } from '../../actors/model/index.js';
import { runExec, type CliIo, type ExecExit } from './exec.command.js';

const DEMO_PROMPT = 'Look around this project and tell me what it contains.';

/**
 * The offline demo: the built-in scripted model on 127.0.0.1, a scratch project, and one
 * real `exec` turn in which the model runs a command whose output streams back.
 */
export async function runDemo(io: CliIo): Promise<ExecExit> {
  const server = await startScriptedServer({ script: demoScript });
  const workspace = await mkdtemp(join(tmpdir(), 'statecraft-demo-'));
  await mkdir(join(workspace, 'src'));
  await writeFile(join(workspace, 'README.md'), '# demo project\n\nA scratch project made by `statecraft demo`.\n');
  await writeFile(join(workspace, 'src', 'hello.ts'), 'export const hello = (name: string) => `hello, ${name}`;\n');
  const sandbox = await probeSandbox();
  if (!sandbox.available) {
    io.stderr.write(`note: the sandbox is unavailable here (${sandbox.reason ?? 'bubblewrap missing'}); the demo's harmless command runs unconfined.\n`);
  }
  io.stderr.write(`demo: scripted model at ${server.url}, project in ${workspace}\n\n`);
  try {
    return await runExec(
      DEMO_PROMPT,
      {
        json: false,
        experimentalJson: false,
        cd: workspace,
        config: [
          'model_provider="statecraft-demo"',
          'model_providers.statecraft-demo.name="statecraft demo (scripted)"',
          `model_providers.statecraft-demo.base_url="${server.url}"`,
          'model_providers.statecraft-demo.wire_api="responses"',
        ],
        sandbox: sandbox.available ? 'workspace-write' : 'danger-full-access',
        askForApproval: 'never',
        addDir: [],
        image: [],
        enable: [],
        disable: [],
        fullAuto: false,
        dangerouslyBypassApprovalsAndSandbox: false,
        yolo: false,
        skipGitRepoCheck: true,
        ephemeral: true,
        trace: false,
      },
      io,
    );
  } finally {
    await server.close();
    await rm(workspace, { recursive: true, force: true });
  }
}
