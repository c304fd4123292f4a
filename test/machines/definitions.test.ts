import { describe, expect, it } from 'vitest';
import { execCallMachine, machineDefinition, machineDefinitions, type StateDefinition } from '../../machines/index.js';

const flatten = (state: StateDefinition): StateDefinition[] => [state, ...state.states.flatMap(flatten)];

describe('machine definitions as JSON', () => {
  const definitions = machineDefinitions();

  it('covers every machine of the actor tree and survives a JSON round trip', () => {
    expect(definitions.map((definition) => definition.id)).toEqual(['session', 'turnDiff', 'turn', 'toolCall', 'execCall', 'patchCall', 'mcpCall', 'approval']);
    expect(JSON.parse(JSON.stringify(definitions))).toEqual(definitions);
  });

  it('names every state, its transitions with their events, targets and guards, and its invoked actors', () => {
    const exec = machineDefinition(execCallMachine);
    const states = flatten(exec.root);
    expect(states.map((state) => state.id)).toEqual(
      expect.arrayContaining(['execCall.policyCheck', 'execCall.awaitingApproval', 'execCall.running.stopping', 'execCall.measuring', 'execCall.done']),
    );
    const asking = states.find((state) => state.key === 'awaitingApproval')!;
    expect(asking.entry).toEqual(['ask']);
    expect(asking.transitions).toContainEqual({
      event: 'xstate.done.actor.approval',
      targets: ['execCall.amending'],
      guard: 'approvalAmends',
      actions: ['settleWait', 'rememberAmendment'],
    });
    const policy = states.find((state) => state.key === 'policyCheck')!;
    expect(policy.invoke).toEqual([{ id: 'checkPolicy', src: 'checkPolicy' }]);
    const deciding = states.find((state) => state.key === 'deciding')!;
    expect(deciding.transitions.map((transition) => [transition.event, transition.guard])).toEqual([
      ['always', 'verdictRefuse'],
      ['always', 'verdictAsk'],
      ['always', 'verdictEscalated'],
      ['always', null],
    ]);
    const stopping = states.find((state) => state.key === 'stopping')!;
    expect(stopping.transitions[0]?.event).toMatch(/^xstate\.after\.killGrace/);
    expect(flatten(exec.root).find((state) => state.key === 'running')?.initial).toBe('sandboxed');
  });
});
