import type { AnyStateMachine } from 'xstate';
import { approvalMachine } from './approval.machine.js';
import { execCallMachine } from './exec.machine.js';
import { mcpCallMachine } from './mcp.machine.js';
import { patchCallMachine } from './patch.machine.js';
import { sessionMachine } from './session.machine.js';
import { toolCallMachine } from './toolCall.machine.js';
import { turnDiffMachine } from './turnDiff.machine.js';
import { turnMachine } from './turn.machine.js';

/** One transition as drawn: what triggers it (an event, `always`, or a delay), where it goes, under which guard, doing what. */
interface TransitionDefinition {
  event: string;
  targets: string[];
  guard: string | null;
  actions: string[];
}

/** One state and everything below it, as plain data. */
export interface StateDefinition {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  initial: string | null;
  description: string | null;
  entry: string[];
  exit: string[];
  invoke: Array<{ id: string; src: string }>;
  transitions: TransitionDefinition[];
  states: StateDefinition[];
}

export interface MachineDefinition {
  id: string;
  root: StateDefinition;
}

type Node = AnyStateMachine['root'];
type Named = string | ((...args: never[]) => unknown) | { type: string } | null | undefined;

/** An action or guard by the name a reader knows it by (named ones by name, built-ins by their kind). */
const nameOf = (value: Named): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') {
    const kind = (value as { type?: unknown }).type;
    return typeof kind === 'string' ? kind : value.name || 'inline';
  }
  if (value && typeof value === 'object') return String(value.type);
  return 'inline';
};

const eventOf = (eventType: string): string => (eventType === '' ? 'always' : eventType);

function stateDefinition(node: Node): StateDefinition {
  const definition = node.definition;
  const transitions = [...node.transitions.values(), node.always ?? []].flat();
  return {
    id: definition.id,
    key: definition.key,
    type: definition.type,
    initial: node.initial?.target?.[0]?.key ?? null,
    description: definition.description ?? null,
    entry: (definition.entry as Named[]).map(nameOf),
    exit: (definition.exit as Named[]).map(nameOf),
    invoke: definition.invoke.map((invoke) => ({ id: String(invoke.id), src: typeof invoke.src === 'string' ? invoke.src : String(invoke.id) })),
    transitions: transitions.map((transition) => ({
      event: eventOf(String(transition.eventType)),
      targets: (transition.target ?? []).map((target) => target.id),
      guard: transition.guard ? nameOf(transition.guard as Named) : null,
      actions: (transition.actions as Named[]).map(nameOf),
    })),
    states: Object.values(node.states).map(stateDefinition),
  };
}

/** A machine's states, transitions with their guards, and invoked actors, as JSON a drawing can be made from. */
export const machineDefinition = (machine: AnyStateMachine): MachineDefinition => ({ id: machine.id, root: stateDefinition(machine.root) });

/** Every machine of the runtime, in the order of the actor tree. */
export const machineDefinitions = (): MachineDefinition[] =>
  [sessionMachine, turnDiffMachine, turnMachine, toolCallMachine, execCallMachine, patchCallMachine, mcpCallMachine, approvalMachine].map(machineDefinition);
