import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ProtocolEvent } from '../../protocol/index.js';

/**
 * One line of a trace file. Actors are named by their system-wide session id (`a`), events by
 * their type; payloads and contexts are summaries (see `summarise`), never whole values.
 */
export type TraceRecord =
  | { k: 'meta'; v: 1; ts: number; threadId: string }
  /** An actor joined the tree: its id as its parent knows it, and the machine it runs (null for promise and callback actors). */
  | { k: 'actor'; ts: number; a: string; id: string; parent: string | null; machine: string | null }
  /** An event an actor received, from another actor (`from`) or from outside (null). */
  | { k: 'event'; ts: number; a: string; from: string | null; type: string; data: unknown }
  /** An actor's state after an event: its state value and status, and the context keys that changed (summarised). */
  | { k: 'state'; ts: number; a: string; value: unknown; status: string; changed: Record<string, unknown> }
  /** A protocol event the thread published. */
  | { k: 'protocol'; ts: number; method: string; params: unknown }
  /** A run of streaming deltas folded into one record: how many, how many characters, which methods, from `ts` to `until`. */
  | { k: 'deltas'; ts: number; until: number; count: number; chars: number; records: number; methods: Record<string, number> };

const MAX_STRING = 160;
const MAX_ITEMS = 6;
const MAX_KEYS = 24;
const MAX_DEPTH = 3;
/** Summaries longer than this (as JSON) are redone one level shallower. */
const MAX_SUMMARY = 2_048;

const isActorRef = (value: object): value is AnyActorRef => 'sessionId' in value && 'send' in value && 'getSnapshot' in value;

function shallow(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === undefined) return null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
  if (typeof value === 'bigint') return String(value);
  if (typeof value !== 'object') return `[${typeof value}]`;
  if (isActorRef(value)) return `[actor ${value.id}]`;
  if (value instanceof Map || value instanceof Set) return `[${value.constructor.name} of ${value.size}]`;
  if (Array.isArray(value)) {
    if (depth <= 0) return `[${value.length} items]`;
    const head = value.slice(0, MAX_ITEMS).map((item) => shallow(item, depth - 1));
    return value.length > MAX_ITEMS ? [...head, `… ${value.length - MAX_ITEMS} more`] : head;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (depth <= 0) return `{${entries.length} keys}`;
  const kept = Object.fromEntries(entries.slice(0, MAX_KEYS).map(([key, item]) => [key, shallow(item, depth - 1)]));
  if (entries.length > MAX_KEYS) kept['…'] = `${entries.length - MAX_KEYS} more keys`;
  return kept;
}

/** A bounded stand-in for any value: strings cut, arrays and objects trimmed, nesting limited, actors named. */
export function summarise(value: unknown): unknown {
  for (let depth = MAX_DEPTH; depth > 0; depth--) {
    const summary = shallow(value, depth);
    if (JSON.stringify(summary).length <= MAX_SUMMARY) return summary;
  }
  return shallow(value, 0);
}

/** Protocol methods and machine events that stream: the model's deltas (alone or in runs), a command's output chunks. */
const isDeltaType = (type: string): boolean => /deltas?$/i.test(type) || type === 'exec.output';
/** The protocol events a child relays to its parent, when the event is a relay. */
const relayed = (event: { type: string }): ProtocolEvent[] | null => (event.type === 'relay' ? (event as unknown as { events: ProtocolEvent[] }).events : null);
/** Whether an event is one of a stream's, itself or as relayed protocol deltas. */
const streams = (event: { type: string }): boolean => isDeltaType(event.type) || (relayed(event)?.every((relay) => isDeltaType(relay.method)) ?? false);
const deltaChars = (value: unknown): number => {
  const delta = (value as { delta?: unknown } | null)?.delta;
  return typeof delta === 'string' ? delta.length : 0;
};

/** The machine an actor runs, when it runs one. */
function machineOf(actor: AnyActorRef): string | null {
  const logic = (actor as { logic?: unknown }).logic;
  if (logic && typeof logic === 'object' && 'root' in logic && 'id' in logic && typeof logic.id === 'string') return logic.id;
  return null;
}

interface Run {
  ts: number;
  until: number;
  count: number;
  chars: number;
  records: number;
  methods: Record<string, number>;
}

/**
 * Turns inspection and protocol events into trace records, bounded: runs of streaming deltas
 * (the model's delta events, their relays up the tree, the snapshots that only grow a text,
 * the protocol deltas) become one `deltas` record; snapshots are kept only when the state
 * value, the status or a context key changed; contexts and payloads are summarised.
 */
export class TraceBuilder {
  private run: Run | null = null;
  /** Per actor: its last state value and status, and each context key's summary as JSON. */
  private readonly seen = new Map<string, { value: string; status: string; context: Map<string, string> }>();

  constructor(
    private readonly emit: (record: TraceRecord) => void,
    private readonly now: () => number = Date.now,
  ) {}

  inspection(event: InspectionEvent): void {
    const actor = event.actorRef as AnyActorRef;
    switch (event.type) {
      case '@xstate.actor':
        return this.actor(actor);
      case '@xstate.event':
        return this.event(actor, event.sourceRef as AnyActorRef | undefined, event.event);
      case '@xstate.snapshot':
        return this.snapshot(actor, event.event, event.snapshot);
      default:
        return;
    }
  }

  protocol(event: ProtocolEvent): void {
    if (isDeltaType(event.method)) return this.fold(event.method, deltaChars(event.params), true);
    this.push({ k: 'protocol', ts: this.now(), method: event.method, params: summarise(event.params) });
  }

  /** Records the actor tree as it stands (for a trace that starts after the root was created). */
  tree(root: AnyActorRef): void {
    this.actor(root);
    this.snapshot(root, { type: 'xstate.init' }, root.getSnapshot() as unknown);
    for (const child of Object.values((root.getSnapshot() as { children?: Record<string, AnyActorRef> }).children ?? {})) this.tree(child);
  }

  /** Ends an open run of deltas (before a pause in the stream, or at the end). */
  settle(): void {
    if (!this.run) return;
    const { ts, until, count, chars, records, methods } = this.run;
    this.run = null;
    this.emit({ k: 'deltas', ts, until, count, chars, records, methods });
  }

  private push(record: TraceRecord): void {
    this.settle();
    this.emit(record);
  }

  private fold(method: string, chars: number, published: boolean): void {
    const ts = this.now();
    const run = (this.run ??= { ts, until: ts, count: 0, chars: 0, records: 0, methods: {} });
    run.until = ts;
    run.records++;
    if (!published) return;
    run.count++;
    run.chars += chars;
    run.methods[method] = (run.methods[method] ?? 0) + 1;
  }

  private actor(actor: AnyActorRef): void {
    if (this.seen.has(actor.sessionId)) return;
    this.seen.set(actor.sessionId, { value: '', status: '', context: new Map() });
    const parent = (actor as { _parent?: AnyActorRef })._parent;
    // An actor invoked without an id is named by its system id; the logic it runs names it better.
    const src = (actor as { src?: unknown }).src;
    const machine = machineOf(actor);
    const id = actor.id !== actor.sessionId ? actor.id : typeof src === 'string' ? src : (machine ?? actor.id);
    this.push({ k: 'actor', ts: this.now(), a: actor.sessionId, id, parent: parent?.sessionId ?? null, machine });
  }

  private event(target: AnyActorRef, source: AnyActorRef | undefined, event: { type: string }): void {
    if (streams(event)) return this.fold(event.type, 0, false);
    const methods = relayed(event)?.map((relay) => relay.method) ?? null;
    const { type: _type, ...data } = event as Record<string, unknown>;
    this.push({
      k: 'event',
      ts: this.now(),
      a: target.sessionId,
      from: source?.sessionId ?? null,
      type: event.type,
      // Relayed protocol events are recorded once, where the thread publishes them.
      data: methods !== null ? { methods } : summarise(data),
    });
  }

  private snapshot(actor: AnyActorRef, cause: { type: string }, snapshot: unknown): void {
    const seen = this.seen.get(actor.sessionId);
    if (!seen) return;
    const { value, status, context, output, error } = snapshot as { value?: unknown; status: string; context?: unknown; output?: unknown; error?: unknown };
    const valueJson = JSON.stringify(value ?? null);
    if (streams(cause) && valueJson === seen.value && status === seen.status) return this.fold(cause.type, 0, false);
    const changed: Record<string, unknown> = {};
    const fields: Record<string, unknown> = { ...(context && typeof context === 'object' ? context : {}) };
    if (status === 'done' && output !== undefined) fields['output'] = output;
    if (status === 'error') fields['error'] = error;
    for (const [key, field] of Object.entries(fields)) {
      const summary = summarise(field);
      const json = JSON.stringify(summary);
      if (seen.context.get(key) === json) continue;
      seen.context.set(key, json);
      changed[key] = summary;
    }
    if (valueJson === seen.value && status === seen.status && Object.keys(changed).length === 0) return;
    seen.value = valueJson;
    seen.status = status;
    this.push({ k: 'state', ts: this.now(), a: actor.sessionId, value: value ?? null, status, changed });
  }
}
