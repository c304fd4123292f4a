import type { ProtocolEvent } from '../../protocol/index.js';

/**
 * The ordering rules of docs/PROTOCOL.md as predicates over one thread's event stream.
 * Each returns human-readable violations, so a failing path says exactly what broke.
 */
export interface InvariantOptions {
  /** The producer reached its end: nothing may be left open. */
  finished: boolean;
  /** A tool call or approval on its own publishes no turn or thread status events. */
  scope?: 'turn' | 'call';
}

const itemKey = (turnId: string, itemId: string) => `${turnId}/${itemId}`;

const turnOf = (event: ProtocolEvent): string | null => {
  const params = event.params as Record<string, unknown>;
  if (typeof params.turnId === 'string') return params.turnId;
  if (event.method === 'turn/started' || event.method === 'turn/completed') return event.params.turn.id;
  return null;
};

const itemRefOf = (event: ProtocolEvent): string | null => {
  switch (event.method) {
    case 'item/agentMessage/delta':
    case 'item/reasoning/textDelta':
    case 'item/reasoning/summaryTextDelta':
    case 'item/reasoning/summaryPartAdded':
    case 'item/commandExecution/outputDelta':
      return itemKey(event.params.turnId, event.params.itemId);
    default:
      return null;
  }
};

export function lifecycleViolations(events: ProtocolEvent[], options: InvariantOptions): string[] {
  const violations: string[] = [];
  const started = new Set<string>();
  const completed = new Set<string>();
  const requests = new Map<string, string>(); // approvalId -> item key
  const resolved = new Set<string>();
  const turnsStarted = new Set<string>();
  const turnsCompleted = new Set<string>();
  let openTurn: string | null = null;
  let waitingFlag = false;

  const turnScoped = (options.scope ?? 'turn') === 'turn';
  events.forEach((event, index) => {
    const at = `#${index} ${event.method}`;
    const turnId = turnScoped ? turnOf(event) : null;
    if (turnScoped && openTurn === null && event.method !== 'turn/started' && event.method !== 'thread/status/changed' && event.method !== 'thread/started') {
      violations.push(`${at}: published outside any turn`);
    }
    if (turnId && event.method !== 'turn/started') {
      if (!turnsStarted.has(turnId)) violations.push(`${at}: before turn/started of ${turnId}`);
      if (turnsCompleted.has(turnId)) violations.push(`${at}: after turn/completed of ${turnId}`);
    }
    switch (event.method) {
      case 'turn/started':
        if (openTurn) violations.push(`${at}: turn ${turnId} started while ${openTurn} is running`);
        if (turnsStarted.has(turnId!)) violations.push(`${at}: turn ${turnId} started twice`);
        turnsStarted.add(turnId!);
        openTurn = turnId;
        break;
      case 'turn/completed':
        if (openTurn !== turnId) violations.push(`${at}: completes ${turnId}, which is not running`);
        for (const key of started) {
          if (!completed.has(key) && key.startsWith(`${turnId}/`)) violations.push(`${at}: item ${key} still open`);
        }
        for (const [approvalId] of requests) {
          if (!resolved.has(approvalId)) violations.push(`${at}: approval ${approvalId} unresolved`);
        }
        turnsCompleted.add(turnId!);
        openTurn = null;
        break;
      case 'item/started': {
        const key = itemKey(event.params.turnId, event.params.item.id);
        if (started.has(key)) violations.push(`${at}: item ${key} started twice`);
        started.add(key);
        break;
      }
      case 'item/completed': {
        const key = itemKey(event.params.turnId, event.params.item.id);
        if (!started.has(key)) violations.push(`${at}: item ${key} completed but never started`);
        if (completed.has(key)) violations.push(`${at}: item ${key} completed twice`);
        for (const [approvalId, itemKeyOfRequest] of requests) {
          if (itemKeyOfRequest === key && !resolved.has(approvalId)) {
            violations.push(`${at}: item ${key} completed before its approval ${approvalId} was resolved`);
          }
        }
        completed.add(key);
        break;
      }
      case 'item/commandExecution/requestApproval':
      case 'item/fileChange/requestApproval': {
        const key = itemKey(event.params.turnId, event.params.itemId);
        if (!started.has(key)) violations.push(`${at}: approval asked before item/started of ${key}`);
        if (completed.has(key)) violations.push(`${at}: approval asked after item/completed of ${key}`);
        if (requests.has(event.approvalId)) violations.push(`${at}: approval ${event.approvalId} asked twice`);
        if (turnScoped && !waitingFlag) violations.push(`${at}: thread status does not say waitingOnApproval`);
        requests.set(event.approvalId, key);
        break;
      }
      case 'serverRequest/resolved':
        if (!requests.has(event.approvalId)) violations.push(`${at}: resolves ${event.approvalId}, never asked`);
        if (resolved.has(event.approvalId)) violations.push(`${at}: ${event.approvalId} resolved twice`);
        resolved.add(event.approvalId);
        break;
      case 'thread/status/changed':
        waitingFlag = event.params.status.type === 'active' && event.params.status.activeFlags.includes('waitingOnApproval');
        break;
      default: {
        const key = itemRefOf(event);
        if (key && (!started.has(key) || completed.has(key))) violations.push(`${at}: delta for ${key} outside its item`);
      }
    }
  });

  if (turnScoped && openTurn === null && waitingFlag) violations.push('end: thread left waitingOnApproval');
  if (options.finished) {
    for (const turnId of turnsStarted) {
      if (!turnsCompleted.has(turnId)) violations.push(`end: turn ${turnId} never completed`);
    }
    for (const key of started) if (!completed.has(key)) violations.push(`end: item ${key} never completed`);
    for (const approvalId of requests.keys()) {
      if (!resolved.has(approvalId)) violations.push(`end: approval ${approvalId} never resolved`);
    }
  }
  return violations;
}

/** The status of the last turn/completed, if any. */
export const lastTurnStatus = (events: ProtocolEvent[]): string | null => {
  const last = [...events].reverse().find((event) => event.method === 'turn/completed');
  return last?.method === 'turn/completed' ? last.params.turn.status : null;
};
