import { randomUUID } from 'node:crypto';
import { Observable, Subject } from 'rxjs';
import { createActor, fromPromise, type ActorRefFrom } from 'xstate';
import {
  sessionMachine,
  toolCallMachine,
  turnMachine,
  type ConfiguredThread,
  type PreparedTurn,
  type ResumedState,
  type SessionInput,
} from '../../machines/index.js';
import type {
  ApprovalDecision,
  ProtocolEvent,
  ResponseItem,
  Thread,
  ThreadOverrides,
  ThreadSettings,
  TurnOverrides,
  UserInput,
} from '../../protocol/index.js';
import { ExecSessions } from '../exec/index.js';
import { prepareTurn } from '../prompt/index.js';
import { readGitInfo } from './git.info.js';
import { modelActor } from './model.actor.js';
import { toolActors } from './tool.actors.js';

/** What every thread of one process shares: where state lives, how settings resolve, what the host can do. */
export interface Runtime {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Whether bubblewrap works here; without it, confinement has to be asked for. */
  sandboxAvailable: boolean;
  /** Who started the threads, as clients see it in `thread.source` ('exec', 'appServer', ...). */
  source: string;
  originator: string;
  cliVersion: string;
  resolveSettings(overrides: ThreadOverrides): Promise<ThreadSettings>;
}

export interface OpenThreadOptions {
  threadId?: string;
  overrides?: ThreadOverrides;
  resumed?: ResumedState | null;
}

/** A running thread as adapters drive it: send it ops, subscribe to what it reports. */
export interface ThreadHandle {
  readonly threadId: string;
  readonly events$: Observable<ProtocolEvent>;
  /** Resolves once the thread is configured; rejects with the configuration error. */
  ready(): Promise<ConfiguredThread>;
  /** Starts a turn and returns its id; throws when a turn is already running or the thread is closed. */
  startTurn(input: UserInput[], overrides?: TurnOverrides): string;
  interrupt(): void;
  decide(approvalId: string, decision: ApprovalDecision): void;
  /** Interrupts a running turn, kills what the thread left running and waits until it is closed. */
  close(): Promise<void>;
}

function threadRecord(runtime: Runtime, threadId: string, settings: ThreadSettings, gitInfo: Thread['gitInfo']): Thread {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: threadId,
    sessionId: threadId,
    preview: '',
    ephemeral: settings.ephemeral,
    modelProvider: settings.provider.id,
    model: settings.model,
    reasoningEffort: settings.reasoningEffort,
    createdAt: now,
    updatedAt: now,
    status: { type: 'idle' },
    path: null,
    cwd: settings.cwd,
    cliVersion: runtime.cliVersion,
    originator: runtime.originator,
    source: runtime.source,
    gitInfo,
    name: null,
    turns: [],
  };
}

/** The session machine with every actor it invokes bound to real I/O for one thread. */
function liveSessionMachine(runtime: Runtime, sessions: ExecSessions) {
  const toolCall = toolCallMachine.provide({
    actors: toolActors(sessions, { sandboxAvailable: runtime.sandboxAvailable, env: runtime.env }),
  });
  const turn = turnMachine.provide({
    actors: {
      toolCall,
      model: modelActor(runtime.env),
      prepareTurn: fromPromise<PreparedTurn, { settings: ThreadSettings; history: ResponseItem[]; userInput: UserInput[] }>(
        ({ input }) => prepareTurn({ ...input, home: runtime.home }),
      ),
      stopProcesses: fromPromise<void, { threadId: string }>(() => sessions.killAll()),
    },
  });
  return sessionMachine.provide({
    actors: {
      turn,
      configure: fromPromise<ConfiguredThread, SessionInput>(async ({ input }) => {
        const settings = await runtime.resolveSettings(input.overrides);
        return { settings, thread: threadRecord(runtime, input.threadId, settings, await readGitInfo(settings.cwd)) };
      }),
      shutdown: fromPromise<void, { threadId: string }>(() => sessions.killAll()),
    },
  });
}

/** Starts a thread's session actor; its events flow to `events$` in the order the machines publish them. */
export function openThread(runtime: Runtime, options: OpenThreadOptions = {}): ThreadHandle {
  const threadId = options.threadId ?? randomUUID();
  const sessions = new ExecSessions();
  const subject = new Subject<ProtocolEvent>();
  const actor: ActorRefFrom<typeof sessionMachine> = createActor(liveSessionMachine(runtime, sessions), {
    input: { threadId, overrides: options.overrides ?? {}, resumed: options.resumed ?? null },
  });
  actor.on('protocol', ({ event }) => subject.next(event));
  const closed = new Promise<void>((resolve) => {
    actor.subscribe({
      complete: () => {
        subject.complete();
        resolve();
      },
      error: (error) => {
        subject.error(error);
        resolve();
      },
    });
  });
  const configured = new Promise<ConfiguredThread>((resolve, reject) => {
    const subscription = actor.subscribe((snapshot) => {
      if (snapshot.matches('configuring')) return;
      queueMicrotask(() => subscription.unsubscribe());
      const { settings, thread, error } = snapshot.context;
      if (settings && thread) resolve({ settings, thread });
      else reject(new Error(error?.message ?? 'the thread closed before it was configured'));
    });
  });
  // Callers that never ask for readiness must not see an unhandled rejection.
  configured.catch(() => {});
  actor.start();

  return {
    threadId,
    events$: subject.asObservable(),
    ready: () => configured,
    startTurn(input, overrides = {}) {
      const snapshot = actor.getSnapshot();
      if (!snapshot.matches('ready')) {
        throw new Error(snapshot.matches('running') ? 'a turn is already running on this thread' : 'the thread is not ready for a turn');
      }
      const turnId = randomUUID();
      actor.send({ type: 'turn.start', turnId, userMessageId: randomUUID(), input, overrides });
      return turnId;
    },
    interrupt: () => actor.send({ type: 'turn.interrupt' }),
    decide: (approvalId, decision) => actor.send({ type: 'approval.decide', approvalId, decision }),
    async close() {
      await configured.catch(() => {});
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'thread.close' });
      await closed;
    },
  };
}
