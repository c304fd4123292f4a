import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Subscription, filter, firstValueFrom } from 'rxjs';
import { findRepositoryRoot } from '../../actors/config/index.js';
import { ThreadRegistry, createRuntime, type ThreadHandle } from '../../actors/runtime/index.js';
import type { ApprovalPolicy, ProtocolEvent, SandboxMode, ThreadOverrides, Turn } from '../../protocol/index.js';
import { TerminalApprover, describeApproval, type ApprovalEvent } from './approval.prompt.js';
import { renderHuman } from './human.renderer.js';
import { renderJsonl } from './jsonl.renderer.js';
import { PacedWriter } from './paced.writer.js';
import { readPrompt } from './prompt.input.js';

export interface ExecFlags {
  json: boolean;
  model?: string;
  cd?: string;
  config: string[];
  profile?: string;
  sandbox?: SandboxMode;
  askForApproval?: ApprovalPolicy;
  addDir: string[];
  fullAuto: boolean;
  skipGitRepoCheck: boolean;
  outputLastMessage?: string;
  ephemeral: boolean;
}

/** `statecraft exec resume`: the thread to continue, by id or the most recent one. */
export interface ResumeTarget {
  threadId?: string;
  last: boolean;
}

export interface CliIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  version: string;
}

/** Exit status when the user interrupted, as shells report a SIGINT death. */
export const EXIT_INTERRUPTED = 130;

/** What the flags ask for, as thread overrides; without a terminal nobody can be asked, so the default policy is `never`. */
function threadOverrides(flags: ExecFlags, cwd: string | undefined, interactive: boolean): ThreadOverrides {
  const approvalPolicy = flags.askForApproval ?? (flags.fullAuto ? 'on-request' : interactive ? undefined : 'never');
  const sandbox = flags.sandbox ?? (flags.fullAuto ? 'workspace-write' : undefined);
  return {
    ...(cwd ? { cwd } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    ...(approvalPolicy ? { approvalPolicy } : {}),
    ...(sandbox ? { sandbox } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.addDir.length > 0 ? { addDirs: flags.addDir.map((dir) => resolve(cwd ?? process.cwd(), dir)) } : {}),
    ephemeral: flags.ephemeral,
  };
}

const lastAgentText = (turn: Turn): string | null => {
  const message = [...turn.items].reverse().find((item) => item.type === 'agentMessage');
  return message && message.type === 'agentMessage' ? message.text : null;
};

/** Answers approval requests: on the terminal when there is one, otherwise declined with a warning. */
function answerApprovals(thread: ThreadHandle, io: CliIo, interactive: boolean) {
  const approver = interactive ? new TerminalApprover(io.stdin, io.stderr) : null;
  const isApproval = (event: ProtocolEvent): event is ApprovalEvent =>
    event.method === 'item/commandExecution/requestApproval' || event.method === 'item/fileChange/requestApproval';
  return thread.events$.pipe(filter(isApproval)).subscribe((event) => {
    if (approver) {
      void approver.ask(event).then((decision) => thread.decide(event.approvalId, decision));
      return;
    }
    io.stderr.write(
      `warning: declined an approval request because there is no terminal to ask on:${describeApproval(event).replaceAll('\n', '\n  ')}\n` +
        '  Run in a terminal to answer approvals, or choose a policy that does not ask (-a never).\n',
    );
    thread.decide(event.approvalId, 'decline');
  });
}

/** `statecraft exec`: one turn from the terminal, printed as a transcript or as JSONL events. */
export async function runExec(promptArgument: string | undefined, flags: ExecFlags, io: CliIo, resume: ResumeTarget | null = null): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`statecraft: ${message}\n`);
    return 1;
  };
  const cwd = resolve(flags.cd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return fail(`--cd ${cwd}: no such directory`);
  if (!flags.skipGitRepoCheck && (await findRepositoryRoot(cwd)) === null) {
    return fail(`${cwd} is not inside a git repository; changes there could not be reviewed or undone. Pass --skip-git-repo-check to run anyway.`);
  }
  let prompt: string;
  try {
    prompt = await readPrompt(promptArgument, io.stdin);
  } catch (error) {
    return fail((error as Error).message);
  }
  const interactive = Boolean(io.stdin.isTTY && io.stderr.isTTY);

  let runtime;
  try {
    runtime = await createRuntime({
      env: io.env,
      cwd,
      source: 'exec',
      originator: 'statecraft_exec',
      cliVersion: io.version,
      configOverrides: flags.config,
      ...(flags.profile ? { profile: flags.profile } : {}),
      onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  const registry = new ThreadRegistry(runtime);
  const subscriptions = new Subscription();
  // A reader that falls behind must not make the transcript pile up in memory.
  const stdout = new PacedWriter(io.stdout);
  // Renderers subscribe before the thread starts, so thread.started is the first thing printed.
  const attach = (handle: ThreadHandle) => {
    subscriptions.add(
      flags.json
        ? renderJsonl(handle.events$, (line) => stdout.write(line))
        : renderHuman(handle.events$, {
            write: (text) => stdout.write(text),
            output: (itemId, text, style) => stdout.output(itemId, text, style),
            warn: (text) => io.stderr.write(text),
            color: Boolean(io.stderr.isTTY && (io.stdout as NodeJS.WriteStream).isTTY),
          }),
    );
    subscriptions.add(answerApprovals(handle, io, interactive));
  };
  let thread: ThreadHandle;
  try {
    if (resume) {
      const threadId = resume.threadId ?? (await registry.latest());
      if (!threadId) return fail(`there is no recorded thread to resume under ${join(runtime.home, 'sessions')}`);
      // A resumed thread keeps its recorded directory unless -C names another.
      thread = (await registry.resume(threadId, threadOverrides(flags, flags.cd ? cwd : undefined, interactive), attach)).handle;
    } else {
      thread = await registry.start(threadOverrides(flags, cwd, interactive), attach);
    }
  } catch (error) {
    subscriptions.unsubscribe();
    return fail((error as Error).message);
  }

  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    io.stderr.write('\nstatecraft: interrupting the turn (Ctrl-C again to quit at once)\n');
    thread.interrupt();
  };
  process.on('SIGINT', onSigint);
  try {
    const { settings } = await thread.ready();
    if (!flags.json) {
      io.stderr.write(
        `statecraft ${io.version} · thread ${thread.threadId} · model ${settings.model} (${settings.provider.id}) · sandbox ${settings.sandboxMode} · approval ${settings.approvalPolicy}\n`,
      );
    }
    const completed = firstValueFrom(thread.events$.pipe(filter((event) => event.method === 'turn/completed')));
    thread.startTurn([{ type: 'text', text: prompt, text_elements: [] }]);
    const { turn } = (await completed).params as { turn: Turn };
    if (flags.outputLastMessage) await writeFile(flags.outputLastMessage, lastAgentText(turn) ?? '');
    if (turn.status === 'completed') return 0;
    if (turn.status === 'interrupted') {
      if (interrupts === 0) io.stderr.write('statecraft: the turn was interrupted\n');
      return interrupts > 0 ? EXIT_INTERRUPTED : 1;
    }
    return fail(`the turn failed: ${turn.error?.message ?? 'unknown error'}`);
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    await thread.close();
    subscriptions.unsubscribe();
    process.off('SIGINT', onSigint);
  }
}
