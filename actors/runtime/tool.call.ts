import { fromCallback, fromPromise } from 'xstate';
import {
  approvalMachine,
  execCallMachine,
  mcpCallMachine,
  patchCallMachine,
  toolCallMachine,
  type ExecActorInput,
  type ExecOutcome,
  type PolicyCheckInput,
} from '../../machines/index.js';
import { errorMessage } from '../../protocol/index.js';
import { failedOutcome } from '../exec/outcome.js';
import { RootPins } from '../exec/roots.js';
import type { ExecHandle } from '../exec/types.js';
import type { ToolOptions, ToolWork } from './tool.actors.js';

/**
 * The tool-call machine of one thread, its actors bound to the thread's tool work. That work
 * (the policy, the process library, the patch code) loads with the first call the model makes:
 * a turn that only answers in text never reads it.
 */
export class ThreadTools {
  /** The writable roots as they were when the thread (or the turn naming them) started. */
  readonly roots = new RootPins();
  private work: Promise<ToolWork> | null = null;

  constructor(private readonly options: ToolOptions) {}

  private load(): Promise<ToolWork> {
    this.work ??= import('./tool.actors.js').then((tools) => tools.toolWork(this.roots, this.options));
    return this.work;
  }

  /** The work if it loaded: before the first tool call (or when it could not load) no command has run. */
  private async loaded(): Promise<ToolWork | null> {
    return (await this.work?.catch(() => null)) ?? null;
  }

  /** Kills every process the thread started and waits for them to go. */
  async killAll(): Promise<void> {
    await (await this.loaded())?.killAll();
  }

  /** Ends what finished commands left behind; sessions still running stay. */
  async reapFinished(): Promise<void> {
    await (await this.loaded())?.reapFinished();
  }

  /** The tool-call machine with every actor bound to this thread's work. */
  machine() {
    const work = () => this.load();
    const checkPolicy = fromPromise(async ({ input }: { input: PolicyCheckInput }) => (await work()).checkPolicy(input));
    const approval = approvalMachine.provide({
      actors: { assessRisk: fromPromise(async ({ input, signal }) => (await work()).assessRisk(input, signal)) },
    });
    return toolCallMachine.provide({
      actors: {
        prepareCall: fromPromise(async ({ input }) => (await work()).prepareCall(input)),
        viewImage: fromPromise(async ({ input }) => (await work()).viewImage(input)),
        execCall: execCallMachine.provide({
          actors: {
            checkPolicy,
            approval,
            amendPolicy: fromPromise(async ({ input }) => (await work()).amendPolicy(input)),
            exec: this.execActor(),
          },
        }),
        patchCall: patchCallMachine.provide({
          actors: { checkPolicy, approval, applyPatch: fromPromise(async ({ input }) => (await work()).applyPatch(input)) },
        }),
        mcpCall: mcpCallMachine.provide({
          actors: { approval, callMcpTool: fromPromise(async ({ input, signal }) => (await work()).callMcpTool(input, signal)) },
        }),
      },
    });
  }

  /** Runs one command (or one write to a session), reporting its output and its end; a kill stops it. */
  private execActor() {
    return fromCallback<{ type: 'kill' }, ExecActorInput>(({ input, sendBack, receive }) => {
      let handle: ExecHandle | null = null;
      let settled = false;
      let killed = false;
      const finish = (outcome: ExecOutcome) => {
        if (settled) return;
        settled = true;
        sendBack({ type: 'exec.finished', outcome });
      };
      this.load().then(
        (work) => {
          if (settled) return;
          if (killed) return finish(failedOutcome('the command was stopped before it started'));
          handle = work.startExec(input, {
            onOutput: (chunk) => {
              if (!settled) sendBack({ type: 'exec.output', chunk });
            },
          });
          sendBack({ type: 'exec.started', processId: handle.processId });
          handle.done.then(finish, (error: unknown) => finish(failedOutcome(`failed to run the command: ${String(error)}`)));
        },
        (error: unknown) => finish(failedOutcome(`failed to run the command: ${errorMessage(error)}`)),
      );
      receive(() => {
        killed = true;
        handle?.kill();
      });
      // A process still running when its call is torn down (the turn stopped) must not outlive it.
      return () => {
        if (!settled) handle?.kill();
        settled = true;
      };
    });
  }
}
