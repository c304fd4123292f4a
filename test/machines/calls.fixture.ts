/**
 * The command and patch call machines as the machine tests drive them: inputs, what their
 * actors report, and the approval child they spawn (a black box to pure transitions, whose
 * request and resolution are put into a path where the real child would publish them).
 */
import type { AnyStateMachine, EventFromLogic, InputFrom } from 'xstate';
import {
  approvalIdFor,
  type ExecCall,
  type ExecCallInput,
  type ExecOutcome,
  type McpCall,
  type McpCallInput,
  type PatchCall,
  type PatchCallInput,
  type PolicyVerdict,
  type StdinCall,
} from '../../machines/index.js';
import type { ProtocolEvent } from '../../protocol/index.js';
import { fixedClock, settingsFixture } from './fixtures.js';
import { replayPure } from './harness.js';

export type AnyEvent = { type: string; [key: string]: unknown };

const view = { command: "/bin/bash -lc 'ls'", cwd: '/ws', commandActions: [{ type: 'listFiles' as const, command: 'ls', path: null }] };

export const spec = {
  command: 'ls',
  displayCommand: view.command,
  cwd: '/ws',
  shell: '/bin/bash',
  login: true,
  tty: false,
  yieldTimeMs: null,
  maxOutputTokens: null,
  env: {},
  sandbox: { mode: 'workspace-write' as const, writableRoots: ['/ws'], networkAccess: false },
};

export const execCall: ExecCall = { kind: 'exec', view, run: { kind: 'spawn', spec }, escalationRequested: false, justification: null, grantKey: 'cmd:ls' };
export const stdinCall: StdinCall = { kind: 'writeStdin', view, run: { kind: 'poll', sessionId: 1, chars: '', yieldTimeMs: null, maxOutputTokens: null } };
export const patchCall: PatchCall = {
  kind: 'patch',
  changes: [{ path: '/ws/a.txt', kind: { type: 'add' }, diff: 'a\n' }],
  run: {
    plan: {
      changes: [{ path: '/ws/a.txt', kind: 'add', movePath: null, oldContent: null, newContent: 'a\n', diff: 'a\n', writeTo: '/ws/a.txt', removes: null }],
    },
    cwd: '/ws',
    outside: [],
    baselines: [{ path: '/ws/a.txt', content: null }],
  },
  grantRoot: '/ws',
  grantKey: 'patch:/ws',
};

/** A call of an MCP tool that is not read-only (asked under on-request); `readOnly: true` runs without asking. */
export const mcpCall: McpCall = { kind: 'mcp', server: 'fx', tool: 'write_note', arguments: { note: 'hi' }, readOnly: false, grantKey: 'mcp:fx:write_note' };

const base = { threadId: 'th', turnId: 'tu', settings: settingsFixture(), sessionGrants: [], clock: fixedClock };
export const execInput = (prepared: ExecCall | StdinCall = execCall, over: Partial<ExecCallInput> = {}): ExecCallInput => ({
  ...base,
  call: { callId: 'call_1', name: 'exec_command', kind: 'function', payload: '{"cmd":"ls"}' },
  prepared,
  assessRisk: false,
  ...over,
});
export const patchInput = (over: Partial<PatchCallInput> = {}): PatchCallInput => ({
  ...base,
  call: { callId: 'call_1', name: 'apply_patch', kind: 'custom', payload: '*** Begin Patch' },
  prepared: patchCall,
  ...over,
});

export const mcpInput = (over: Partial<McpCallInput> = {}): McpCallInput => ({
  ...base,
  settings: settingsFixture({ approvalPolicy: 'on-request' }),
  call: { callId: 'call_1', name: 'mcp__fx__write_note', kind: 'function', payload: '{"note":"hi"}' },
  prepared: mcpCall,
  ...over,
});

/** What the MCP tool actor reports for a call that worked. */
export const mcpOutcome = {
  result: { content: [{ type: 'text', text: 'noted: hi' }] },
  error: null,
  items: [{ type: 'function_call_output', call_id: 'call_1', output: 'noted: hi' }],
};

export const verdicts: PolicyVerdict[] = [
  { decision: 'run', mode: 'sandboxed' },
  { decision: 'run', mode: 'escalated' },
  { decision: 'ask', reason: 'outside', proposedAmendment: null, availableDecisions: ['accept', 'decline', 'cancel'], modeAfterApproval: 'escalated' },
  { decision: 'ask', reason: null, proposedAmendment: ['ls'], availableDecisions: ['accept', 'decline'], modeAfterApproval: 'sandboxed' },
  { decision: 'refuse', message: 'not allowed under never' },
];

export const outcome = (over: Partial<ExecOutcome> = {}): ExecOutcome => ({
  exitCode: 0,
  stillRunning: false,
  interrupted: false,
  failedToRun: false,
  sandboxDenial: null,
  processId: '42',
  aggregatedOutput: 'out\n',
  durationMs: 5,
  modelOutput: 'Exit code: 0',
  ...over,
});

export const decided = (decision: unknown, abandoned = false): AnyEvent => ({ type: 'xstate.done.actor.approval', output: { decision, abandoned } });

const approvalIdOfSnapshot = (context: { turnId: string; call: { callId: string }; deniedRun?: unknown }) =>
  approvalIdFor(context.turnId, context.call.callId, Boolean(context.deniedRun));

const relay = (event: ProtocolEvent): AnyEvent => ({ type: 'relay', events: [event] });

const mcpRequestOf = (context: any): AnyEvent =>
  relay({
    method: 'item/commandExecution/requestApproval',
    approvalId: approvalIdOfSnapshot(context),
    params: {
      kind: 'command',
      threadId: 'th',
      turnId: context.turnId,
      itemId: context.call.callId,
      startedAtMs: 1,
      environmentId: 'local',
      reason: `MCP server ${context.prepared.server} would run its tool ${context.prepared.tool}, which is not marked read-only`,
      command: `${context.prepared.server}.${context.prepared.tool}(${JSON.stringify(context.prepared.arguments)})`,
      cwd: context.settings.cwd,
      commandActions: [],
      proposedExecpolicyAmendment: null,
      availableDecisions: ['accept', 'acceptForSession', 'decline', 'cancel'],
      risk: null,
    },
  });

const requestOf = (snapshot: { context: any }): AnyEvent =>
  snapshot.context.prepared.kind === 'mcp'
    ? mcpRequestOf(snapshot.context)
    : relay(
        snapshot.context.prepared.kind === 'patch'
          ? {
              method: 'item/fileChange/requestApproval',
              approvalId: approvalIdOfSnapshot(snapshot.context),
              params: { threadId: 'th', turnId: snapshot.context.turnId, itemId: snapshot.context.call.callId, startedAtMs: 1, reason: null, grantRoot: '/ws' },
            }
          : {
              method: 'item/commandExecution/requestApproval',
              approvalId: approvalIdOfSnapshot(snapshot.context),
              params: {
                kind: 'command',
                threadId: 'th',
                turnId: snapshot.context.turnId,
                itemId: snapshot.context.call.callId,
                startedAtMs: 1,
                environmentId: 'local',
                reason: null,
                command: view.command,
                cwd: view.cwd,
                commandActions: view.commandActions,
                proposedExecpolicyAmendment: null,
                availableDecisions: ['accept', 'decline'],
                risk: null,
              },
            },
      );

const resolvedOf = (snapshot: { context: any }): AnyEvent =>
  relay({ method: 'serverRequest/resolved', approvalId: approvalIdOfSnapshot(snapshot.context), params: { threadId: 'th' } });

/**
 * Path events plus what the approval child publishes on its own: its request once the call
 * starts waiting on it, its resolution before it finishes.
 */
export function withApprovalChild<M extends AnyStateMachine>(machine: M, input: InputFrom<M>, pathEvents: AnyEvent[]): AnyEvent[] {
  const out: AnyEvent[] = [];
  const state = (events: AnyEvent[]) => replayPure(machine, input, events as never).snapshot as unknown as { matches(value: string): boolean; context: any };
  let before = state([]);
  // A call that asks from its first state (an MCP tool call has no policy actor) asks before any event.
  if (before.matches('awaitingApproval')) {
    out.push(requestOf(before));
    before = state(out);
  }
  for (const event of pathEvents) {
    if (event.type === 'xstate.done.actor.approval') out.push(resolvedOf(before));
    out.push(event);
    const after = state(out);
    const asking = after.matches('awaitingApproval') && (!before.matches('awaitingApproval') || event.type === 'exec.finished');
    if (asking) out.push(requestOf(after));
    before = asking ? state(out) : after;
  }
  return out;
}

/** What the environment does after an interrupt, by the state the call is in. */
export function settleAfterInterrupt(state: { matches: (value: never) => boolean; context: any }): AnyEvent[] {
  if (state.matches('awaitingApproval' as never)) return [resolvedOf(state), decided('cancel', true)];
  if (state.matches('running' as never)) return [{ type: 'exec.finished', outcome: outcome({ exitCode: null, interrupted: true }) }];
  // A patch being written finishes its write (all files or none) before the call ends.
  if (state.matches('applying' as never)) return [{ type: 'xstate.done.actor.applyPatch', output: { status: 'completed', modelOutput: 'Success.' } }];
  return [];
}

/** What a call tells its parent along a path: its typed facts and the protocol events it publishes, in order. */
export function parentMessages<M extends AnyStateMachine>(machine: M, input: InputFrom<M>, events: ReadonlyArray<EventFromLogic<M>>): AnyEvent[] {
  const { reports } = replayPure(machine, input, events);
  return reports.map((emitted) => (emitted.type === 'protocol' ? { type: 'relay', events: [emitted.event] } : emitted));
}
