import { randomUUID } from 'node:crypto';
import { Observable, Subject, type Subscription } from 'rxjs';
import { createActor, fromPromise, type ActorRefFrom, type InspectionEvent } from 'xstate';
import {
  acceptedTurn,
  sessionMachine,
  turnDiffMachine,
  turnMachine,
  type Clock,
  type ConfiguredThread,
  type MeasureInput,
  type PreparedTurn,
  type SessionEvent,
  type SessionInput,
} from '../../machines/index.js';
import {
  errorMessage,
  referenceOnlyThreadFields,
  type ApprovalDecision,
  type ElicitationContent,
  type ProtocolEvent,
  type ResponseItem,
  type SessionSource,
  type SkillMetadata,
  type SkillsOutcome,
  type Thread,
  type ThreadOverrides,
  type ThreadSettings,
  type Turn,
  type TurnDiffBase,
  type TurnOverrides,
  type UserInput,
} from '../../protocol/index.js';
import type { McpServerStatus } from '../../protocol/appServer/index.js';
import { resolveTurnOverrides, upgradeNotice } from '../config/index.js';
import type { ElicitationAsker, McpConnections, McpStatusWatcher, ThreadMcp } from '../mcp/index.js';
import { RuleBaseline } from '../policy/rules/baseline.js';
import { ruleSources } from '../policy/rules/rule.file.js';
import { prepareTurn } from '../prompt/index.js';
import { rolloutPath, type StoredThread } from '../rollout/index.js';
import { TraceBuilder, type TraceRecord } from '../trace/index.js';
import { readGitInfo } from './git.info.js';
import type { ModelListing } from './model.list.js';
import { compactActor, modelActor } from './model.actor.js';
import { ThreadPersistence } from './thread.persistence.js';
import { StartupReplay } from './startup.replay.js';
import { beginTurnDiff, disposeTurnDiff, measureTurnDiff } from './turn.diff.js';
import { ThreadTools } from './tool.call.js';
import { sandboxFor } from './thread.sandbox.js';

/** What every thread of one process shares: where state lives, how settings resolve, what the host can do. */
export interface Runtime {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Whether bubblewrap works here (probed once, when first asked); without it, confinement has to be asked for. */
  sandboxAvailable(): Promise<boolean>;
  /** Who started the threads, as clients see it in `thread.source` ('exec', 'appServer', ...). */
  source: SessionSource;
  originator: string;
  cliVersion: string;
  /** The user agent model requests carry, naming the client that drives the threads (servers know it from their handshake). */
  userAgent?: string;
  resolveSettings(overrides: ThreadOverrides): Promise<ThreadSettings>;
  /** The skills of a working directory, discovered once and cached; `forceReload` reads them again. */
  skills(cwd: string, projectTrusted: boolean, forceReload?: boolean): Promise<SkillsOutcome>;
  /** Where problems that do not stop a thread (a rollout file that cannot be written) are reported. */
  warn(message: string): void;
  /** The process's MCP server connections, shared by its threads; the MCP client loads with the first thread that has servers. */
  mcp(): Promise<McpConnections>;
  /** The configured MCP servers, started (or joined) to be asked for their state and tools, then let go. */
  mcpStatus(): Promise<McpServerStatus[]>;
  /** The models of the provider these overrides (and the config) select, merged with the built-in catalog; cached for a few minutes. */
  models(overrides: ThreadOverrides): Promise<ModelListing>;
}

export interface OpenThreadOptions {
  threadId?: string;
  overrides?: ThreadOverrides;
  /** A recorded thread to continue: its turns, its conversation and its rollout file. */
  stored?: StoredThread | null;
}

/** A running thread as adapters drive it: send it ops, subscribe to what it reports. */
export interface ThreadHandle {
  readonly threadId: string;
  readonly events$: Observable<ProtocolEvent>;
  /** XState's inspection events of the thread's actors (created, events, snapshots); nothing is produced while nobody subscribes. */
  readonly inspection$: Observable<InspectionEvent>;
  /**
   * The thread's trace records for a watcher that comes in now: the actor tree as it stands, then
   * what happens. Each subscriber gets its own records; nothing is computed while nobody subscribes.
   */
  readonly trace$: Observable<TraceRecord>;
  /** Resolves once the thread is configured; rejects with the configuration error. */
  ready(): Promise<ConfiguredThread>;
  /** Starts a turn and returns it as accepted (its id, not yet started); throws with the session's reason when it cannot take one now. */
  startTurn(input: UserInput[], overrides?: TurnOverrides): Turn;
  /** Compacts the conversation now, in a turn of its own; throws with the session's reason when it cannot take one now. */
  compact(): Turn;
  interrupt(): void;
  /** Answers an approval, or an MCP server's question (with the form's fields when accepting one). */
  decide(approvalId: string, decision: ApprovalDecision, content?: ElicitationContent | null): void;
  /** The thread as clients see it now: settings in effect, status, preview. */
  current(): { thread: Thread; settings: ThreadSettings } | null;
  /** The state and tools of the thread's MCP servers now (empty before it is configured). */
  mcpStatus(): McpServerStatus[];
  /** The skills loaded when the thread was configured (empty before). */
  skills(): SkillMetadata[];
  /** Whether a turn is running; its id when one is. */
  activeTurnId(): string | null;
  /** Resolves when everything recorded so far is on disk. */
  flush(): Promise<void>;
  /** Interrupts a running turn, kills what the thread left running and waits until it is closed. */
  close(): Promise<void>;
}

/** The thread record clients see: a new one, or the stored one brought up to date with the settings now in effect. */
function threadRecord(runtime: Runtime, threadId: string, settings: ThreadSettings, gitInfo: Thread['gitInfo'], stored: StoredThread | null): Thread {
  const nowMs = Date.now();
  const now = Math.floor(nowMs / 1000);
  const current = {
    environments: [{ environmentId: 'local', cwd: settings.cwd, runtimeWorkspaceRoots: [settings.cwd] }],
    recencyAt: now,
    modelProvider: settings.provider.id,
    model: settings.model,
    reasoningEffort: settings.reasoningEffort,
    cwd: settings.cwd,
    status: { type: 'idle' } as const,
    gitInfo,
  };
  if (stored) return { ...stored.thread, ...current, updatedAt: now };
  return {
    id: threadId,
    sessionId: threadId,
    preview: '',
    ephemeral: settings.ephemeral,
    ...current,
    createdAt: now,
    updatedAt: now,
    path: settings.ephemeral ? null : rolloutPath(runtime.home, nowMs, threadId),
    cliVersion: runtime.cliVersion,
    originator: runtime.originator,
    source: runtime.source,
    name: null,
    turns: [],
    ...referenceOnlyThreadFields(),
  };
}

/** The wall clock, for the machines of live threads. */
const systemClock: Clock = { nowMs: () => Date.now() };

/** Continuing a thread with another model than it was recorded with may work less well; Codex says so, in these words. */
function modelSwitchWarnings(stored: StoredThread, model: string): string[] {
  const recorded = stored.meta.overrides.model ?? stored.thread.model;
  if (recorded === model) return [];
  return [
    `This session was recorded with model \`${recorded}\` but is resuming with \`${model}\`. Consider switching back to \`${recorded}\` as it may affect performance.`,
  ];
}

const noticeOf = (notice: string | null): string[] => (notice === null ? [] : [notice]);

/** What the actors of one thread load when it is configured and reuse for every turn: its skills and its MCP servers. */
interface SessionCache {
  skills: SkillMetadata[];
  mcp: ThreadMcp | null;
}

/** The session machine with every actor it invokes bound to real I/O for one thread. */
function liveSessionMachine(
  runtime: Runtime,
  stored: StoredThread | null,
  cache: SessionCache,
  onConfigureError: (error: unknown) => void,
  askUser: ElicitationAsker,
  onMcpStatus: McpStatusWatcher,
) {
  const rules = new RuleBaseline();
  const tools = new ThreadTools({
    sandboxAvailable: () => runtime.sandboxAvailable(),
    env: runtime.env,
    home: runtime.home,
    onRuleError: (error) => runtime.warn(`${error.message} (${error.effect}; ${error.fix})`),
    rules,
    mcp: () => cache.mcp,
  });
  const turn = turnMachine.provide({
    actors: {
      toolCall: tools.machine(),
      model: modelActor(runtime.env, {
        home: runtime.home,
        extraTools: () => cache.mcp?.toolSpecs((message) => runtime.warn(message)) ?? Promise.resolve([]),
        userAgent: runtime.userAgent,
      }),
      compact: compactActor(runtime.env, { home: runtime.home, userAgent: runtime.userAgent }),
      prepareTurn: fromPromise<PreparedTurn, { settings: ThreadSettings; history: ResponseItem[]; userInput: UserInput[] }>(async ({ input }) => {
        // Roots a turn names for the first time are pinned as they are now; the others keep their first identity.
        tools.roots.pin(sandboxFor(input.settings, runtime.env)?.writableRoots ?? []);
        return prepareTurn({ ...input, home: runtime.home, skills: cache.skills });
      }),
      stopProcesses: fromPromise<void, { threadId: string }>(() => tools.killAll()),
    },
  });
  const turnDiff = turnDiffMachine.provide({
    actors: {
      beginDiff: fromPromise<TurnDiffBase | null, { cwd: string }>(({ input }) => beginTurnDiff(runtime.home, input.cwd)),
      measureDiff: fromPromise<string | null, MeasureInput>(({ input }) => measureTurnDiff(input)),
      disposeDiff: fromPromise<void, { base: TurnDiffBase | null }>(({ input }) => disposeTurnDiff(input.base)),
    },
  });
  return sessionMachine.provide({
    actors: {
      turn,
      turnDiff,
      configure: fromPromise<ConfiguredThread, SessionInput>(async ({ input }) => {
        const settings = await runtime.resolveSettings(input.overrides).catch((error: unknown) => {
          onConfigureError(error);
          throw error;
        });
        const roots = sandboxFor(settings, runtime.env)?.writableRoots ?? [settings.cwd];
        tools.roots.pin(roots);
        // MCP servers start now, all at once, and are not waited for: the first model request waits for those still starting.
        const servers = settings.mcpServers ?? [];
        cache.mcp = servers.length > 0 ? (await runtime.mcp()).acquire(input.threadId, servers, roots, askUser, onMcpStatus) : null;
        const requiredFailure = (await cache.mcp?.requiredFailure()) ?? null;
        if (requiredFailure !== null) {
          const error = new Error(`a required MCP server could not start (required = true): ${requiredFailure}`);
          onConfigureError(error);
          throw error;
        }
        // Rule files are judged against what they were now, before the agent ran anything.
        await rules.capture(await ruleSources(runtime.home, settings.cwd, settings.projectTrusted));
        // Skills load once per session; every turn of the thread uses this outcome.
        const skills = await runtime.skills(settings.cwd, settings.projectTrusted);
        for (const problem of skills.errors) runtime.warn(`skill ${problem.path}: ${problem.message}`);
        cache.skills = skills.skills;
        return {
          settings,
          thread: threadRecord(runtime, input.threadId, settings, await readGitInfo(settings.cwd), stored),
          warnings: [...(stored ? modelSwitchWarnings(stored, settings.model) : []), ...noticeOf(upgradeNotice(settings.model))],
        };
      }),
      // A turn that ended leaves no process behind but the sessions the model may come back to.
      reapProcesses: fromPromise<void, { threadId: string }>(() =>
        tools.reapFinished().catch((error: unknown) => runtime.warn(`could not end what finished commands left running: ${errorMessage(error)}`)),
      ),
      shutdown: fromPromise<void, { threadId: string }>(() => tools.killAll()),
    },
  });
}

/** Starts a thread's session actor; its events flow to `events$` in the order the machines publish them. */
export function openThread(runtime: Runtime, options: OpenThreadOptions = {}): ThreadHandle {
  const stored = options.stored ?? null;
  const threadId = stored?.thread.id ?? options.threadId ?? randomUUID();
  const events = new StartupReplay<ProtocolEvent>();
  const cache: SessionCache = { skills: [], mcp: null };
  const inspection = new Subject<InspectionEvent>();
  const persistence = new ThreadPersistence(stored !== null, (message) => runtime.warn(`thread ${threadId}: ${message}`));
  const resumed = stored ? { history: stored.history, usageTotal: stored.usageTotal, lastTurn: stored.lastTurn } : null;
  // The configuration error itself (a ConfigError names file and key), for callers of ready().
  let configureError: unknown = null;
  /** An MCP server's question goes to the session, which asks the user and emits the answer. */
  const askUser: ElicitationAsker = (serverName, question, signal) =>
    new Promise((resolve) => {
      if (actor.getSnapshot().status !== 'active') return resolve({ action: 'decline', content: null });
      const elicitationId = randomUUID();
      const finish = (answer: Awaited<ReturnType<ElicitationAsker>>) => {
        answered.unsubscribe();
        ended.unsubscribe();
        signal.removeEventListener('abort', abandon);
        resolve(answer);
      };
      const answered = actor.on('elicitation.answered', (event) => {
        if (event.elicitationId === elicitationId) finish({ action: event.action, content: event.content });
      });
      // A session that ends first leaves nobody to answer.
      const ended = actor.subscribe({ complete: () => finish({ action: 'cancel', content: null }), error: () => finish({ action: 'cancel', content: null }) });
      const abandon = () => actor.send({ type: 'elicitation.abandon', elicitationId });
      signal.addEventListener('abort', abandon, { once: true });
      actor.send({ type: 'elicitation.ask', elicitationId, serverName, question });
    });
  const actor: ActorRefFrom<typeof sessionMachine> = createActor(
    liveSessionMachine(
      runtime,
      stored,
      cache,
      (error) => (configureError = error),
      askUser,
      (name, status, error) => {
        if (actor.getSnapshot().status === 'active') actor.send({ type: 'mcp.status', name, status, error });
      },
    ),
    {
      input: { threadId, overrides: options.overrides ?? {}, resumed, clock: systemClock },
    },
  );
  // The actor system makes inspection events only while an inspector is registered: one is, from
  // the first subscriber of inspection$ to the last one's leaving, so an unwatched thread pays nothing.
  let inspecting: { unsubscribe(): void } | null = null;
  const inspection$ = new Observable<InspectionEvent>((subscriber) => {
    const watching = inspection.subscribe(subscriber);
    inspecting ??= actor.system.inspect((event) => inspection.next(event));
    return () => {
      watching.unsubscribe();
      if (inspection.observed) return;
      inspecting?.unsubscribe();
      inspecting = null;
    };
  });
  // The protocol events as the session publishes them, for trace builders.
  const published = new Subject<ProtocolEvent>();
  /** A trace builder fed from now on: the tree as it stands, then inspection and protocol events; `done` when the thread's inspection ends. */
  const watchTrace = (emit: (record: TraceRecord) => void, done?: () => void): { builder: TraceBuilder; subscription: Subscription } => {
    const builder = new TraceBuilder(emit);
    builder.tree(actor);
    const subscription = inspection$.subscribe({
      next: (event) => builder.inspection(event),
      complete: () => {
        builder.settle();
        done?.();
      },
    });
    subscription.add(published.subscribe((event) => builder.protocol(event)));
    return { builder, subscription };
  };
  const trace$ = new Observable<TraceRecord>(
    (subscriber) =>
      watchTrace(
        (record) => subscriber.next(record),
        () => subscriber.complete(),
      ).subscription,
  );
  // A traced thread's records go to its trace file; null (nothing computed) when not traced.
  let tracing: TraceBuilder | null = null;
  actor.on('protocol', ({ event }) => {
    // The first event of a configured thread (thread/started, or a resumed thread's status) opens its rollout, and its trace.
    const { settings, thread } = actor.getSnapshot().context;
    if (settings && thread) {
      persistence.open(thread, settings);
      if (!tracing && persistence.openTrace(thread, settings)) tracing = watchTrace((record) => persistence.trace(record)).builder;
    }
    persistence.record(event);
    published.next(event);
    events.next(event);
  });
  // The conversation reaches the rollout as the turn commits it, so a crash mid-turn keeps calls and their outputs.
  actor.on('conversation.committed', ({ turnId, items, usageTotal }) => persistence.history(turnId, items, usageTotal));
  actor.on('conversation.compacted', ({ turnId, summary, history, usageTotal }) => persistence.compacted(turnId, summary, history, usageTotal));
  const closed = new Promise<void>((resolve) => {
    actor.subscribe({
      complete: () => {
        void cache.mcp?.release();
        events.complete();
        // XState reports the final snapshot to inspectors after telling observers the actor is done.
        queueMicrotask(() => inspection.complete());
        resolve();
      },
      error: (error) => {
        void cache.mcp?.release();
        events.error(error);
        queueMicrotask(() => inspection.complete());
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
      else reject(configureError instanceof Error ? configureError : new Error(error?.message ?? 'the thread closed before it was configured'));
    });
  });
  // Callers that never ask for readiness must not see an unhandled rejection.
  configured.catch(() => {});
  actor.start();

  /** Starts a turn; the session answers at once, refusing one it cannot take now with the reason. */
  const begin = (start: (turnId: string) => Extract<SessionEvent, { type: 'turn.start' | 'compact.start' }>): Turn => {
    const turnId = randomUUID();
    let refusal: string | null = null;
    const listening = actor.on('turn.rejected', (rejected) => {
      if (rejected.turnId === turnId) refusal = rejected.reason;
    });
    actor.send(start(turnId));
    listening.unsubscribe();
    if (refusal !== null) throw new Error(refusal);
    events.settle();
    return acceptedTurn(turnId);
  };

  return {
    threadId,
    events$: events.events$,
    inspection$,
    trace$,
    ready: () => configured,
    startTurn(input, requested = {}) {
      // An effort the turn's model does not support is refused here, before the session takes the turn.
      const { settings } = actor.getSnapshot().context;
      const overrides = settings ? resolveTurnOverrides(settings, requested) : requested;
      return begin((turnId) => ({ type: 'turn.start', turnId, userMessageId: randomUUID(), input, overrides }));
    },
    compact: () => begin((turnId) => ({ type: 'compact.start', turnId })),
    interrupt: () => actor.send({ type: 'turn.interrupt' }),
    decide: (approvalId, decision, content = null) => actor.send({ type: 'approval.decide', approvalId, decision, content }),
    current() {
      const { settings, thread } = actor.getSnapshot().context;
      return settings && thread ? { settings, thread } : null;
    },
    skills: () => cache.skills,
    mcpStatus: () => cache.mcp?.report() ?? [],
    activeTurnId() {
      return actor.getSnapshot().context.currentTurn?.turnId ?? null;
    },
    flush() {
      tracing?.settle();
      return persistence.flush();
    },
    async close() {
      await configured.catch(() => {});
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'thread.close' });
      await closed;
      tracing?.settle();
      await cache.mcp?.release();
      await persistence.close();
    },
  };
}
