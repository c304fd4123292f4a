/**
 * The scene escape attempts run in: a workspace, a statecraft home, a victim directory
 * outside every writable root (the temp dirs are writable roots, so it lives under /var/tmp),
 * and an HTTP server on 127.0.0.1 that counts who reaches it. `attempt` asks the real policy
 * about a call as the model would make it, and runs it the way the verdict allows.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ExecSessions, probeSandbox } from '../../actors/exec/index.js';
import { checkCommandPolicy } from '../../actors/policy/index.js';
import { prepareToolCall } from '../../actors/runtime/tool.actors.js';
import { policyCheckInput, type PolicyVerdict } from '../../machines/index.js';
import type { ApprovalPolicy } from '../../protocol/index.js';
import { settingsFixture } from '../machines/fixtures.js';

export const probe = await probeSandbox();

interface AttemptOptions {
  /** The model asks to run outside the sandbox. */
  escalate?: boolean;
  /** The directory the model asks the command to run in. */
  workdir?: string;
  /** The shell the model asks the command to run with. */
  shell?: string;
}

export interface EscapeScene {
  /** Outside every writable root; holds precious.txt and .bashrc. */
  victim: string;
  /** The workspace (a writable root), with .git/hooks and a symlink `door` to the victim. */
  ws: string;
  /** The statecraft home: rule files go in `home/rules`. */
  home: string;
  /** Scratch space under the temp dir, outside the workspace. */
  root: string;
  /** The processes attempts start (killed after the file's tests). */
  sessions: ExecSessions;
  /** The counting server's port, and how many requests reached it. */
  port(): number;
  hits(): number;
  /** The policy's verdict on a call, and whether it ran (as the verdict allowed). */
  attempt(cmd: string, approvalPolicy: ApprovalPolicy, options?: AttemptOptions): Promise<{ verdict: PolicyVerdict; ran: boolean }>;
}

/** Sets the scene up before the file's tests and removes it after them. */
export function escapeScene(): EscapeScene {
  const sessions = new ExecSessions();
  const victim = mkdtempSync('/var/tmp/statecraft-victim-');
  const root = mkdtempSync(join(tmpdir(), 'statecraft-escape-'));
  const ws = join(root, 'ws');
  const home = join(root, 'home');
  let server: Server;
  let port = 0;
  let hits = 0;

  beforeAll(async () => {
    mkdirSync(join(ws, '.git', 'hooks'), { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(victim, 'precious.txt'), 'keep me\n');
    writeFileSync(join(victim, '.bashrc'), '# user profile\n');
    symlinkSync(victim, join(ws, 'door'));
    server = createServer((_, res) => {
      hits += 1;
      res.end('leaked');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await sessions.killAll();
    server.close();
    rmSync(victim, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  const attempt: EscapeScene['attempt'] = async (cmd, approvalPolicy, { escalate = false, workdir, shell } = {}) => {
    const settings = settingsFixture({ cwd: ws, approvalPolicy, sandboxMode: 'workspace-write', projectTrusted: false });
    const args = {
      cmd,
      ...(workdir ? { workdir } : {}),
      ...(shell ? { shell } : {}),
      ...(escalate ? { sandbox_permissions: 'require_escalated', justification: 'trust me' } : {}),
    };
    const env = { PATH: process.env.PATH, HOME: victim };
    const prepared = await prepareToolCall({ callId: 'c', name: 'exec_command', kind: 'function', payload: JSON.stringify(args) }, settings, sessions, env);
    if (prepared.kind !== 'exec') throw new Error(`not an exec call: ${JSON.stringify(prepared)}`);
    if (prepared.run.kind !== 'spawn') throw new Error('not a new command');
    const { spec } = prepared.run;
    const verdict = await checkCommandPolicy(
      policyCheckInput(prepared, settings, []),
      { script: cmd, shell: { program: spec.shell, configured: settings.shell, searchPath: spec.env.PATH } },
      { home, cwd: workdir ?? ws, projectTrusted: false, sandboxAvailable: probe.available },
    );
    if (verdict.decision !== 'run') return { verdict, ran: false };
    await sessions.start({ ...spec, login: false, sandbox: verdict.mode === 'sandboxed' ? spec.sandbox : null }, { onOutput: () => {} }).done;
    return { verdict, ran: true };
  };

  return { victim, ws, home, root, sessions, port: () => port, hits: () => hits, attempt };
}
