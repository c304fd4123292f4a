import { assign, enqueueActions, setup, type AnyActorRef } from 'xstate';
import type { TurnDiffBase } from '../protocol/index.js';
import { promiseActor } from './unprovided.js';

export interface TurnDiffInput {
  /** Where the turn runs; the repository holding it is the one measured. */
  cwd: string;
}

/** What a file held before the turn first changed it (null: it did not exist). */
export interface Baseline {
  path: string;
  content: string | null;
}

/** The answer to a measure request: the turn's diff, or null when it is the same as last reported. */
export interface DiffMeasured {
  type: 'diff.measured';
  diff: string | null;
}

export type TurnDiffEvent = { type: 'diff.remember'; baselines: Baseline[] } | { type: 'diff.measure'; replyTo: AnyActorRef } | { type: 'diff.close' };

export interface MeasureInput {
  base: TurnDiffBase | null;
  baselines: Baseline[];
  cwd: string;
}

interface TurnDiffContext extends TurnDiffInput {
  base: TurnDiffBase | null;
  /** The first content seen of each file a patch wrote, for files no repository snapshot covers. */
  baselines: Baseline[];
  /** Callers waiting for the next measurement. */
  waiting: AnyActorRef[];
  /** Callers the running measurement answers. */
  serving: AnyActorRef[];
  lastReported: string | null;
  closeRequested: boolean;
}

/** The system id of the actor that measures a turn's diff: one per turn, so a finished turn's can tidy up while the next runs. */
export const turnDiffId = (turnId: string): string => `turnDiff/${turnId}`;

interface RequestingEnqueue {
  sendTo: (to: AnyActorRef, event: TurnDiffEvent) => void;
  raise: (event: DiffMeasured) => void;
}

/** Asks the turn's diff tracker to measure and answer `self`; with none (a call run alone) the answer is "nothing new". */
export const requestDiff = (enqueue: RequestingEnqueue, self: AnyActorRef, system: { get(id: string): AnyActorRef | undefined }, turnId: string): void => {
  const tracker = system.get(turnDiffId(turnId));
  if (tracker) enqueue.sendTo(tracker, { type: 'diff.measure', replyTo: self });
  else enqueue.raise(reply(null));
};

const reply = (diff: string | null): DiffMeasured => ({ type: 'diff.measured', diff });

/**
 * What the running turn changed, measured on request. It snapshots the repository when the
 * turn begins, answers each measure request with the diff when it changed since the last
 * answer, and removes its scratch store when the turn ends.
 */
export const turnDiffMachine = setup({
  types: {
    input: {} as TurnDiffInput,
    context: {} as TurnDiffContext,
    events: {} as TurnDiffEvent,
  },
  actors: {
    beginDiff: promiseActor<TurnDiffBase | null, { cwd: string }>('beginDiff'),
    measureDiff: promiseActor<string | null, MeasureInput>('measureDiff'),
    disposeDiff: promiseActor<void, { base: TurnDiffBase | null }>('disposeDiff'),
  },
  guards: {
    someoneWaits: ({ context }) => context.waiting.length > 0,
    closeRequested: ({ context }) => context.closeRequested,
  },
  actions: {
    remember: assign({
      baselines: ({ context, event }) => {
        if (event.type !== 'diff.remember') return context.baselines;
        const known = new Set(context.baselines.map((baseline) => baseline.path));
        return [...context.baselines, ...event.baselines.filter((baseline) => !known.has(baseline.path))];
      },
    }),
    enqueueRequest: assign({
      waiting: ({ context, event }) => (event.type === 'diff.measure' ? [...context.waiting, event.replyTo] : context.waiting),
    }),
    serveWaiting: assign({ serving: ({ context }) => context.waiting, waiting: [] }),
    /** Each caller hears the diff when it changed since the last report, else null. */
    answer: enqueueActions(({ context, enqueue }, diff: string | null) => {
      const changed = diff !== null && diff !== context.lastReported;
      for (const caller of context.serving) enqueue.sendTo(caller, reply(changed ? diff : null));
      enqueue.assign({ serving: [], lastReported: changed ? diff : context.lastReported });
    }),
    answerNothing: enqueueActions(({ context, enqueue }) => {
      for (const caller of [...context.serving, ...context.waiting]) enqueue.sendTo(caller, reply(null));
      enqueue.assign({ serving: [], waiting: [] });
    }),
    requestClose: assign({ closeRequested: true }),
  },
}).createMachine({
  id: 'turnDiff',
  context: ({ input }) => ({ ...input, base: null, baselines: [], waiting: [], serving: [], lastReported: null, closeRequested: false }),
  on: { 'diff.remember': { actions: 'remember' } },
  initial: 'snapshotting',
  states: {
    /** The working tree as the turn begins. */
    snapshotting: {
      invoke: {
        id: 'beginDiff',
        src: 'beginDiff',
        input: ({ context }) => ({ cwd: context.cwd }),
        onDone: { target: 'ready', actions: assign({ base: ({ event }) => event.output }) },
        onError: 'ready',
      },
      on: { 'diff.measure': { actions: 'enqueueRequest' }, 'diff.close': { actions: 'requestClose' } },
    },
    ready: {
      always: [
        { guard: 'closeRequested', target: 'disposing' },
        { guard: 'someoneWaits', target: 'measuring' },
      ],
      on: { 'diff.measure': { target: 'measuring', actions: 'enqueueRequest' }, 'diff.close': 'disposing' },
    },
    /** One measurement answers everyone who asked before it began; later callers wait for the next. */
    measuring: {
      entry: 'serveWaiting',
      invoke: {
        id: 'measureDiff',
        src: 'measureDiff',
        input: ({ context }) => ({ base: context.base, baselines: context.baselines, cwd: context.cwd }),
        onDone: { target: 'ready', actions: { type: 'answer', params: ({ event }) => event.output } },
        onError: { target: 'ready', actions: { type: 'answer', params: null } },
      },
      on: { 'diff.measure': { actions: 'enqueueRequest' }, 'diff.close': { actions: 'requestClose' } },
    },
    /** The turn is over: nobody waits any more, and the scratch store goes. */
    disposing: {
      entry: 'answerNothing',
      invoke: {
        id: 'disposeDiff',
        src: 'disposeDiff',
        input: ({ context }) => ({ base: context.base }),
        onDone: 'closed',
        onError: 'closed',
      },
    },
    closed: { type: 'final' },
  },
});
