import { initialTransition, transition, type ActorLogic, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';
import type { ProtocolEvent } from '../../protocol/index.js';

type Action = { type: string; params?: unknown };

/** Everything the actions of a pure transition emit, in order: protocol envelopes and a machine's typed reports. */
const emissionsOf = (actions: ReadonlyArray<Action>): Array<{ type: string; [key: string]: unknown }> =>
  actions.filter((action) => action.type === 'xstate.emit').map((action) => (action.params as { event: { type: string } }).event);

/** Protocol events in the actions a pure transition returned. */
const emittedBy = (actions: ReadonlyArray<Action>): ProtocolEvent[] =>
  emissionsOf(actions)
    .filter((emitted) => emitted.type === 'protocol')
    .map((emitted) => emitted.event as ProtocolEvent);

/**
 * Replays events through a machine with pure transitions (nothing runs: no actors,
 * no timers) and returns every protocol event the transitions emit, in order.
 */
export function replayPure<TMachine extends AnyStateMachine>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  events: ReadonlyArray<EventFromLogic<TMachine>>,
): { snapshot: SnapshotFrom<TMachine>; emitted: ProtocolEvent[]; perStep: ProtocolEvent[][]; reports: Array<{ type: string; [key: string]: unknown }> } {
  const [first, initialActions] = initialTransition(machine, input);
  let snapshot = first;
  const perStep: ProtocolEvent[][] = [emittedBy(initialActions)];
  const reports = [...emissionsOf(initialActions)];
  for (const event of events) {
    const [next, actions] = transition(machine, snapshot as never, event);
    snapshot = next;
    perStep.push(emittedBy(actions));
    reports.push(...emissionsOf(actions));
  }
  return { snapshot, emitted: perStep.flat(), perStep, reports };
}

/**
 * A machine as the graph walker should step it: each transition in a fresh inert actor scope,
 * as pure `transition()` does. The walker's own scope shares one actor system across every
 * branch, where an actor spawned with a system id (an approval) would collide with itself.
 */
export function walkable<TMachine extends AnyStateMachine>(
  machine: TMachine,
): ActorLogic<SnapshotFrom<TMachine>, EventFromLogic<TMachine>, InputFrom<TMachine>> {
  return {
    config: machine,
    transition: (snapshot, event) => transition(machine, snapshot as never, event)[0],
    getInitialSnapshot: (_scope, input) => initialTransition(machine, input)[0],
    getPersistedSnapshot: (snapshot) => snapshot,
  } as ActorLogic<SnapshotFrom<TMachine>, EventFromLogic<TMachine>, InputFrom<TMachine>>;
}

/**
 * The events a walk may take from a snapshot: a child's done or error event only while that
 * child exists (an error from an actor the machine does not hold would fail the machine).
 */
export const fromLiveChildren =
  <TEvent extends { type: string }>(events: readonly TEvent[]) =>
  (snapshot: { children: Record<string, unknown> }): TEvent[] =>
    events.filter((event) => {
      const child = /^xstate\.(?:done|error)\.actor\.(.+)$/.exec(event.type)?.[1];
      return child === undefined || child in snapshot.children;
    });
