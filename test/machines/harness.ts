import { initialTransition, transition, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';
import type { ProtocolEvent } from '../../protocol/index.js';

/** Protocol events in the actions a pure transition returned. */
export const emittedBy = (actions: ReadonlyArray<{ type: string; params?: unknown }>): ProtocolEvent[] =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: { event: ProtocolEvent } }).event.event);

/**
 * Replays events through a machine with pure transitions (nothing runs: no actors,
 * no timers) and returns every protocol event the transitions emit, in order.
 */
export function replayPure<TMachine extends AnyStateMachine>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  events: ReadonlyArray<EventFromLogic<TMachine>>,
): { snapshot: SnapshotFrom<TMachine>; emitted: ProtocolEvent[]; perStep: ProtocolEvent[][] } {
  const [first, initialActions] = initialTransition(machine, input);
  let snapshot = first as SnapshotFrom<TMachine>;
  const perStep: ProtocolEvent[][] = [emittedBy(initialActions)];
  for (const event of events) {
    const [next, actions] = transition(machine, snapshot as never, event);
    snapshot = next as SnapshotFrom<TMachine>;
    perStep.push(emittedBy(actions));
  }
  return { snapshot, emitted: perStep.flat(), perStep };
}
