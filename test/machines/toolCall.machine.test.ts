import { describe, expect, it } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import { toolCallMachine, type PreparedCall, type ToolCallInput } from '../../machines/index.js';
import { execCall, mcpCall, patchCall, stdinCall, type AnyEvent } from './calls.fixture.js';
import { fixedClock, settingsFixture } from './fixtures.js';
import { fromLiveChildren, replayPure, walkable } from './harness.js';

const input: ToolCallInput = {
  threadId: 'th',
  turnId: 'tu',
  call: { callId: 'call_1', name: 'exec_command', kind: 'function', payload: '{"cmd":"ls"}' },
  settings: settingsFixture(),
  assessRisk: false,
  sessionGrants: [],
  clock: fixedClock,
};

const prepared: Record<string, PreparedCall> = {
  exec: execCall,
  writeStdin: stdinCall,
  patch: patchCall,
  mcp: mcpCall,
  plan: { kind: 'plan', explanation: 'why', plan: [{ step: 'a', status: 'inProgress' }] },
  viewImage: { kind: 'viewImage', path: 'a.png' },
  invalid: { kind: 'invalid', message: 'failed to parse arguments' },
};
const result = (over: object = {}) => ({ modelOutput: 'Exit code: 0', cancelTurn: false, grants: [], ...over });
const preparedEvent = (kind: string): AnyEvent => ({ type: 'xstate.done.actor.prepareCall', output: prepared[kind] });

const events: AnyEvent[] = [
  ...Object.keys(prepared).map(preparedEvent),
  { type: 'xstate.error.actor.prepareCall', error: new Error('bad') },
  { type: 'xstate.done.actor.viewImage', output: [{ type: 'function_call_output', call_id: 'call_1', output: 'ok' }] },
  { type: 'xstate.error.actor.viewImage', error: new Error('not an image') },
  { type: 'xstate.done.actor.execCall', output: result() },
  { type: 'xstate.done.actor.execCall', output: result({ cancelTurn: true, modelOutput: 'cancelled' }) },
  { type: 'xstate.error.actor.execCall', error: new Error('bug') },
  { type: 'xstate.done.actor.patchCall', output: result({ grants: ['patch:/ws'], modelOutput: 'Success.' }) },
  { type: 'xstate.error.actor.patchCall', error: new Error('bug') },
  { type: 'xstate.done.actor.mcpCall', output: result({ modelOutput: 'noted: hi' }) },
  { type: 'xstate.error.actor.mcpCall', error: new Error('bug') },
  { type: 'interrupt' },
];
const paths = getSimplePaths(walkable(toolCallMachine), { input, events: fromLiveChildren(events) as never });

describe('toolCall machine: reads the call, routes it, answers the model', () => {
  it('reaches every route and always ends with one output for the call', () => {
    const reached = new Set(paths.map((path) => JSON.stringify(path.state.value)));
    for (const state of ['"preparing"', '"viewingImage"', '"command"', '"patch"', '"mcp"', '"done"']) expect(reached).toContain(state);
    for (const path of paths.filter((p) => p.state.status === 'done')) {
      const items = path.state.output!.items;
      expect(items.length).toBeGreaterThan(0);
      expect(items[0]).toMatchObject({ call_id: 'call_1' });
    }
  });

  it('hands a command and a patch to their own machines, with their prepared call', () => {
    const command = replayPure(toolCallMachine, input, [preparedEvent('exec')] as never).snapshot;
    expect(command.value).toBe('command');
    expect((command.children.execCall as { getSnapshot(): { context: { prepared: unknown } } } | undefined)?.getSnapshot().context.prepared).toEqual(execCall);
    expect(replayPure(toolCallMachine, input, [preparedEvent('writeStdin')] as never).snapshot.value).toBe('command');
    expect(replayPure(toolCallMachine, input, [preparedEvent('patch')] as never).snapshot.value).toBe('patch');
    expect(replayPure(toolCallMachine, input, [preparedEvent('mcp')] as never).snapshot.value).toBe('mcp');
  });

  it("answers the model with an MCP call's own items (its output and images) when it gives some", () => {
    const items = [
      { type: 'function_call_output', call_id: 'call_1', output: 'a pixel' },
      { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,AA' }] },
    ];
    const { snapshot } = replayPure(toolCallMachine, input, [
      preparedEvent('mcp'),
      { type: 'xstate.done.actor.mcpCall', output: result({ modelOutput: '', items }) },
    ] as never);
    expect(snapshot.output?.items).toEqual(items);
  });

  it("passes what the call's machine tells and publishes to the turn unchanged, and the result back to the model", () => {
    const fact = { type: 'call.awaitingApproval', approvalId: 'tu/call_1/approval' };
    const relayed = { method: 'item/commandExecution/outputDelta', params: { threadId: 'th', turnId: 'tu', itemId: 'call_1', delta: 'x' } };
    const { snapshot, reports } = replayPure(toolCallMachine, input, [
      preparedEvent('exec'),
      fact,
      { type: 'relay', events: [relayed] },
      { type: 'xstate.done.actor.execCall', output: result({ cancelTurn: true, grants: ['cmd:ls'], modelOutput: 'cancelled' }) },
    ] as never);
    expect(reports).toEqual([fact, { type: 'protocol', event: relayed }]);
    expect(snapshot.output).toEqual({
      callId: 'call_1',
      items: [{ type: 'function_call_output', call_id: 'call_1', output: 'cancelled' }],
      cancelTurn: true,
      grants: ['cmd:ls'],
    });
  });

  it('update_plan publishes the plan without an item and answers "Plan updated"', () => {
    const { snapshot, emitted } = replayPure(toolCallMachine, input, [preparedEvent('plan')] as never);
    expect(emitted.map((event) => event.method)).toEqual(['turn/plan/updated']);
    expect(snapshot.output?.items[0]).toMatchObject({ type: 'function_call_output', output: 'Plan updated' });
  });

  it('a custom tool call is answered with a custom_tool_call_output', () => {
    const custom = { ...input, call: { ...input.call, kind: 'custom' as const } };
    const { snapshot } = replayPure(toolCallMachine, custom, [preparedEvent('invalid')] as never);
    expect(snapshot.output?.items[0]).toMatchObject({ type: 'custom_tool_call_output', output: 'failed to parse arguments' });
  });

  it('an interrupt before the call is routed ends it at once, telling the model it was aborted', () => {
    const { snapshot } = replayPure(toolCallMachine, input, [{ type: 'interrupt' }] as never);
    expect(snapshot.status).toBe('done');
    expect(JSON.stringify(snapshot.output?.items)).toContain('aborted');
  });
});
