import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { OptionValues } from '@commander-js/extra-typings';
import { Subscription, filter, firstValueFrom } from 'rxjs';
import { createRuntime, findRepositoryRoot, formatKeyPath, type ThreadHandle, ThreadRegistry } from '../../actors/runtime/index.js';
import type { ApprovalPolicy, ProtocolEvent, SandboxMode, ThreadOverrides, Turn, UserInput } from '../../protocol/index.js';
import type { LiveInspector } from '../inspector/live.js';
import { describeElicitation, type ElicitationEvent } from '../shared/index.js';
import { TerminalApprover, describeApproval, type ApprovalEvent } from './approval.prompt.js';
import { codexOnlyNotes } from './exec.options.js';
import { renderHuman } from './human.renderer.js';
import { renderJsonl } from './jsonl.renderer.js';
import { PacedWriter } from './paced.writer.js';
import { readOutputSchema, readPrompt } from './prompt.input.js';

/** The flags of `exec` and `exec resume` (the Codex-only ones among them are read by name, see exec.options.ts). */
export interface ExecFlags extends OptionValues {
  json: boolean;
  experimentalJson: boolean;
  model?: string;
  cd?: string;
  config: string[];
  enable: string[];
  disable: string[];
  profile?: string;
  sandbox?: SandboxMode;
  askForApproval?: ApprovalPolicy;
  addDir: string[];
  image: string[];
  outputSchema?: string;
  fullAuto: boolean;
  dangerouslyBypassApprovalsAndSandbox: boolean;
  yolo: boolean;
  skipGitRepoCheck: boolean;
  outputLastMessage?: string;
  color?: 'always' | 'never' | 'auto';
  ephemeral: boolean;
  trace: boolean;
  inspect?: number;
}

/** The flags that choose a thread's settings, which the interactive UI shares with `exec`. */
export type ThreadFlags = Pick<
  ExecFlags,
  'model' | 'sandbox' | 'askForApproval' | 'fullAuto' | 'dangerouslyBypassApprovalsAndSandbox' | 'yolo' | 'profile' | 'addDir' | 'ephemeral'
>;

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
const EXIT_INTERRUPTED = 130;
/** Exit status of a second SIGTERM, which ends at once, as shells report a SIGTERM death. */
const EXIT_TERMINATED = 128 + 15;

/**
 * What the flags ask for, as thread overrides; without a terminal nobody can be asked, so the
 * default policy is `never`. Bypassing approvals and sandbox beats every other choice of both.
 */
export function threadOverrides(
  flags: ThreadFlags,
  cwd: string | undefined,
  interactive: boolean,
  outputSchema: Record<string, unknown> | null,
): ThreadOverrides {
  const bypass = flags.dangerouslyBypassApprovalsAndSandbox || flags.yolo;
  const approvalPolicy = bypass ? 'never' : (flags.askForApproval ?? (flags.fullAuto ? 'on-request' : interactive ? undefined : 'never'));
  const sandbox = bypass ? 'danger-full-access' : (flags.sandbox ?? (flags.fullAuto ? 'workspace-write' : undefined));
  return {
    ...(cwd ? { cwd } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    ...(approvalPolicy ? { approvalPolicy } : {}),
    ...(sandbox ? { sandbox } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.addDir.length > 0 ? { addDirs: flags.addDir.map((dir) => resolve(cwd ?? process.cwd(), dir)) } : {}),
    ...(outputSchema ? { outputSchema } : {}),
    ephemeral: flags.ephemeral,
  };
}

/** `-c` flags with `--enable`/`--disable` as the feature keys they stand for and `--trace` as `trace`, after the explicit ones. */
export const configOverrides = (flags: Pick<ExecFlags, 'config' | 'enable' | 'disable' | 'trace'>): string[] => [
  ...flags.config,
  ...flags.enable.map((feature) => `features.${formatKeyPath([feature])}=true`),
  ...flags.disable.map((feature) => `features.${formatKeyPath([feature])}=false`),
  ...(flags.trace ? ['trace=true'] : []),
];

/**
 * The turn's input as Codex lays it out: the images first, then the prompt. Relative image
 * paths mean relative to where the command was run, not to `--cd`.
 */
const turnInput = (prompt: string, images: string[]): UserInput[] => [
  ...images.map((path): UserInput => ({ type: 'localImage', path: resolve(path) })),
  { type: 'text', text: prompt, text_elements: [] },
];

const lastAgentText = (turn: Turn): string | null => {
  const message = [...turn.items].reverse().find((item) => item.type === 'agentMessage');
  return message && message.type === 'agentMessage' ? message.text : null;
};

/** Answers approval requests and MCP servers' questions: on the terminal when there is one, otherwise declined with a warning. */
function answerApprovals(thread: ThreadHandle, io: CliIo, interactive: boolean) {
  const approver = interactive ? new TerminalApprover(io.stdin, io.stderr) : null;
  const isQuestion = (event: ProtocolEvent): event is ApprovalEvent | ElicitationEvent =>
    event.method === 'item/commandExecution/requestApproval' ||
    event.method === 'item/fileChange/requestApproval' ||
    event.method === 'mcpServer/elicitation/request';
  return thread.events$.pipe(filter(isQuestion)).subscribe((event) => {
    if (event.method === 'mcpServer/elicitation/request') {
      if (approver) {
        void approver.answer(event).then(({ action, content }) => thread.decide(event.approvalId, action, content));
        return;
      }
      io.stderr.write(
        `warning: declined a question because there is no terminal to ask on:\n  ${describeElicitation(event)}\n` + '  Run in a terminal to answer it.\n',
      );
      thread.decide(event.approvalId, 'decline');
      return;
    }
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

/** How `exec` ends: an exit status, or the signal that stopped it, raised again once the turn is wound down. */
export type ExecExit = number | { signal: 'SIGTERM' };

/** `statecraft exec`: one turn from the terminal, printed as a transcript or as JSONL events. */
export async function runExec(promptArgument: string | undefined, flags: ExecFlags, io: CliIo, resume: ResumeTarget | null = null): Promise<ExecExit> {
  const fail = (message: string) => {
    io.stderr.write(`statecraft: ${message}\n`);
    return 1;
  };
  for (const note of codexOnlyNotes(flags)) io.stderr.write(`warning: ${note}\n`);
  const json = flags.json || flags.experimentalJson;
  const cwd = resolve(flags.cd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) return fail(`--cd ${cwd}: no such directory`);
  if (!flags.skipGitRepoCheck && (await findRepositoryRoot(cwd)) === null) {
    return fail(`${cwd} is not inside a git repository; changes there could not be reviewed or undone. Pass --skip-git-repo-check to run anyway.`);
  }
  let outputSchema: Record<string, unknown> | null = null;
  let prompt: string;
  try {
    if (flags.outputSchema !== undefined) outputSchema = await readOutputSchema(flags.outputSchema);
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
      configOverrides: configOverrides(flags),
      ...(flags.profile ? { profile: flags.profile } : {}),
      onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  let inspector: LiveInspector | null = null;
  if (flags.inspect !== undefined) {
    const { startLiveInspector } = await import('../inspector/live.js');
    try {
      inspector = await startLiveInspector(flags.inspect, 'statecraft exec (live)');
    } catch (error) {
      return fail(`--inspect: cannot serve the inspector on 127.0.0.1:${flags.inspect}: ${(error as Error).message}`);
    }
    io.stderr.write(`statecraft: inspector at ${inspector.url} (a live view of this run's state machines)\n`);
  }
  const registry = new ThreadRegistry(runtime);
  const subscriptions = new Subscription();
  // What goes to stdout; it stops at SIGTERM, after which Codex prints nothing more either.
  const output = new Subscription();
  subscriptions.add(output);
  // A reader that falls behind must not make the transcript pile up in memory.
  const stdout = new PacedWriter(io.stdout);
  const terminals = Boolean(io.stderr.isTTY && (io.stdout as NodeJS.WriteStream).isTTY);
  // Renderers subscribe before the thread starts, so thread.started is the first thing printed.
  const attach = (handle: ThreadHandle) => {
    inspector?.watch(handle);
    output.add(
      json
        ? renderJsonl(handle.events$, (line) => stdout.write(line))
        : renderHuman(handle.events$, {
            write: (text) => stdout.write(text),
            output: (itemId, text, style) => stdout.output(itemId, text, style),
            warn: (text) => io.stderr.write(text),
            color: flags.color === 'always' || (flags.color !== 'never' && terminals),
          }),
    );
    subscriptions.add(answerApprovals(handle, io, interactive));
  };
  let thread: ThreadHandle;
  try {
    if (resume) {
      const threadId = resume.threadId ?? (await registry.latest());
      if (!threadId) {
        await inspector?.close();
        return fail(`there is no recorded thread to resume under ${join(runtime.home, 'sessions')}`);
      }
      // A resumed thread keeps its recorded directory unless -C names another.
      thread = (await registry.resume(threadId, threadOverrides(flags, flags.cd ? cwd : undefined, interactive, outputSchema), attach)).handle;
    } else {
      thread = await registry.start(threadOverrides(flags, cwd, interactive, outputSchema), attach);
    }
  } catch (error) {
    subscriptions.unsubscribe();
    await inspector?.close();
    return fail((error as Error).message);
  }

  let interrupts = 0;
  let terminated = false;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    io.stderr.write('\nstatecraft: interrupting the turn (Ctrl-C again to quit at once)\n');
    thread.interrupt();
  };
  // SIGTERM (how the Codex SDK aborts a run) winds the turn down as Ctrl-C does, quietly, then ends by that signal.
  const onSigterm = () => {
    if (terminated) process.exit(EXIT_TERMINATED);
    terminated = true;
    output.unsubscribe();
    thread.interrupt();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const { settings } = await thread.ready();
    if (!json) {
      io.stderr.write(
        `statecraft ${io.version} · thread ${thread.threadId} · model ${settings.model} (${settings.provider.id}) · sandbox ${settings.sandboxMode} · approval ${settings.approvalPolicy}\n`,
      );
    }
    const completed = firstValueFrom(thread.events$.pipe(filter((event) => event.method === 'turn/completed')));
    thread.startTurn(turnInput(prompt, flags.image));
    const { turn } = (await completed).params as { turn: Turn };
    if (flags.outputLastMessage) await writeFile(flags.outputLastMessage, lastAgentText(turn) ?? '');
    if (terminated) return { signal: 'SIGTERM' };
    if (turn.status === 'completed') return 0;
    if (turn.status === 'interrupted') {
      if (interrupts === 0) io.stderr.write('statecraft: the turn was interrupted\n');
      return interrupts > 0 ? EXIT_INTERRUPTED : 1;
    }
    return fail(`the turn failed: ${turn.error?.message ?? 'unknown error'}`);
  } catch (error) {
    return terminated ? { signal: 'SIGTERM' } : fail((error as Error).message);
  } finally {
    await thread.close();
    subscriptions.unsubscribe();
    await inspector?.close();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
