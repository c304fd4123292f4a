import type { AnyActorRef } from 'xstate';
import type { ProtocolEvent } from '../protocol/index.js';

/** The event a child machine sends its parent with the protocol events one of its transitions published. */
export interface RelayEvent {
  type: 'relay';
  events: ProtocolEvent[];
}

/** What every machine emits: one protocol event in an XState event envelope. */
export interface ProtocolEmitted {
  type: 'protocol';
  event: ProtocolEvent;
}

interface PublishingEnqueue {
  emit: (emitted: ProtocolEmitted) => void;
  sendParent: (event: RelayEvent) => void;
}

/**
 * Emits protocol events from a machine and, when the machine runs as a child, relays
 * them to its parent (all of them in one event), which publishes them in turn. Only the
 * root actor's emissions reach adapters, so the order every client sees is the order of
 * the parent's mailbox.
 */
export function publish(enqueue: PublishingEnqueue, self: AnyActorRef, ...events: ProtocolEvent[]): void {
  for (const event of events) enqueue.emit({ type: 'protocol', event });
  if (self._parent && events.length > 0) enqueue.sendParent({ type: 'relay', events });
}
