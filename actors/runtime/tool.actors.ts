import { isAbsolute, relative, resolve } from 'node:path';
import type {
  ExecActorInput,
  McpOutcome,
  McpToolInput,
  PatchOutcome,
  PolicyCheckInput,
  PolicyVerdict,
  PreparedCall,
  ToolCallRequest,
} from '../../machines/index.js';
import {
  errorMessage,
  type ApprovalRequest,
  type CommandRisk,
  type ExecRun,
  type FileUpdateChange,
  type PatchRun,
  type ResponseItem,
  type ThreadSettings,
} from '../../protocol/index.js';
import { applyPlan, describeUnwritable, parsePatch, PatchError, planPatch, unwritableTargets, type PatchPlan, type PlannedChange } from '../patch/index.js';
import { patchBaselines } from './turn.diff.js';
import { commandEnvironment, ExecSessions, failedOutcome, type RootPins, shellQuote, type ExecHandle, type ExecSpec, type OutputSink } from '../exec/index.js';
import { sandboxFor } from './thread.sandbox.js';
import {
  appendAllowRule,
  assessCommandRisk,
  checkCommandPolicy,
  checkPatchPolicy,
  patchGrantRoot,
  commandActionsFor,
  loadBashParser,
  parseCommand,
  type RuleBaseline,
  type RuleFileError,
} from '../policy/index.js';
import { loadImage } from '../prompt/index.js';
import { parseToolArgs } from '../tools/index.js';
import type { McpToolRef, ThreadMcp } from '../mcp/index.js';
import { resultForItem, resultForModel } from '../mcp/tools.js';

/** The command line as clients see it: the shell invocation that actually runs. */
const displayCommand = (shell: string, login: boolean, script: string) => `${shell} ${login ? '-lc' : '-c'} ${shellQuote(script)}`;

/** Every file a plan writes: the paths it names and where moves land. */
const writtenPaths = (plan: PatchPlan) => plan.changes.flatMap((change) => [change.path, ...(change.movePath ? [change.movePath] : [])]);

const wireKind = (change: PlannedChange): FileUpdateChange['kind'] =>
  change.kind === 'update' ? { type: 'update', move_path: change.movePath } : { type: change.kind };

/** Reads and plans a patch against `cwd` without writing anything; a patch that cannot apply is the model's error to fix. */
async function preparePatch(patch: string, settings: ThreadSettings, cwd: string, env: NodeJS.ProcessEnv): Promise<PreparedCall> {
  try {
    const plan = await planPatch(parsePatch(patch), { cwd });
    const unwritable = await unwritableTargets(plan, sandboxFor(settings, env)?.writableRoots ?? null);
    const outside = unwritable.map((target) => target.real);
    const grantRoot = patchGrantRoot(outside.length > 0 ? outside : writtenPaths(plan));
    return {
      kind: 'patch',
      changes: plan.changes.map((change) => ({ path: change.path, kind: wireKind(change), diff: change.diff })),
      run: { plan, cwd, outside: unwritable.map(describeUnwritable), baselines: await patchBaselines(plan) } satisfies PatchRun,
      grantRoot: outside.length > 0 ? grantRoot : null,
      grantKey: `patch\u0000${grantRoot ?? cwd}`,
    };
  } catch (error) {
    const message = error instanceof PatchError ? error.message : `could not read the patch: ${String(error)}`;
    return { kind: 'invalid', message: `apply_patch verification failed: ${message}` };
  }
}

/** What the model reads after a patch: the shape of a command result, listing the files (A added, M modified, D deleted). */
function patchSummary(plan: PatchPlan, cwd: string, durationMs: number): string {
  const letter = { add: 'A', update: 'M', delete: 'D' } as const;
  const lines = plan.changes.map((change) => `${letter[change.kind]} ${relative(cwd, change.movePath ?? change.path) || change.path}`);
  return `Exit code: 0\nWall time: ${(durationMs / 1000).toFixed(1)} seconds\nOutput:\nSuccess. Updated the following files:\n${lines.join('\n')}\n`;
}

/** A call of an MCP tool: its arguments must be a JSON object (or nothing). */
function prepareMcpCall(call: ToolCallRequest, ref: McpToolRef): PreparedCall {
  let args: unknown;
  try {
    args = call.payload.trim() === '' ? {} : JSON.parse(call.payload);
  } catch (error) {
    return { kind: 'invalid', message: `failed to parse the arguments of ${call.name}: ${errorMessage(error)}; send a JSON object` };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { kind: 'invalid', message: `the arguments of ${call.name} must be a JSON object` };
  }
  return {
    kind: 'mcp',
    server: ref.server,
    tool: ref.tool,
    arguments: args as Record<string, unknown>,
    readOnly: ref.readOnly,
    grantKey: `mcp\u0000${ref.server}\u0000${ref.tool}`,
  };
}

/** Reads a model's call into what the tool-call machine routes on. */
export async function prepareToolCall(
  call: ToolCallRequest,
  settings: ThreadSettings,
  sessions: ExecSessions,
  env: NodeJS.ProcessEnv,
  mcp: ThreadMcp | null = null,
): Promise<PreparedCall> {
  const mcpTool = mcp?.lookup(call.name) ?? null;
  if (mcpTool !== null) return prepareMcpCall(call, mcpTool);
  const parsed = parseToolArgs(call);
  switch (parsed.tool) {
    case 'invalid':
      return { kind: 'invalid', message: parsed.message };
    case 'apply_patch':
      return preparePatch(parsed.patch, settings, resolve(settings.cwd, ...parsed.workdirs), env);
    case 'update_plan':
      return {
        kind: 'plan',
        explanation: parsed.args.explanation ?? null,
        plan: parsed.args.plan.map(({ step, status }) => ({ step, status: status === 'in_progress' ? 'inProgress' : status })),
      };
    case 'view_image':
      if (!settings.tools.viewImage) return { kind: 'invalid', message: 'unsupported call: view_image (turned off by tools.view_image = false)' };
      return { kind: 'viewImage', path: resolve(settings.cwd, parsed.args.path) };
    case 'write_stdin': {
      const live = sessions.describe(parsed.args.session_id);
      if (!live) return { kind: 'invalid', message: `write_stdin: unknown session_id ${parsed.args.session_id}: the process has ended or never existed` };
      const run: ExecRun = {
        kind: 'poll',
        sessionId: parsed.args.session_id,
        chars: parsed.args.chars ?? '',
        yieldTimeMs: parsed.args.yield_time_ms ?? null,
        maxOutputTokens: parsed.args.max_output_tokens ?? null,
      };
      return { kind: 'writeStdin', view: { command: live.command, cwd: live.cwd, commandActions: [] }, run };
    }
    case 'exec_command': {
      const { args } = parsed;
      const cwd = args.workdir ? (isAbsolute(args.workdir) ? args.workdir : resolve(settings.cwd, args.workdir)) : settings.cwd;
      const shell = args.shell ?? settings.shell;
      const login = args.login ?? true;
      const command = displayCommand(shell, login, args.cmd);
      const spec: ExecSpec = {
        command: args.cmd,
        displayCommand: command,
        cwd,
        shell,
        login,
        tty: args.tty ?? false,
        yieldTimeMs: args.yield_time_ms ?? null,
        maxOutputTokens: args.max_output_tokens ?? null,
        env: commandEnvironment(env, settings.shellEnvironmentPolicy),
        sandbox: sandboxFor(settings, env),
      };
      return {
        kind: 'exec',
        view: { command, cwd, commandActions: commandActionsFor(parseCommand(await loadBashParser(), args.cmd), cwd, args.cmd) },
        run: { kind: 'spawn', spec } satisfies ExecRun,
        escalationRequested: args.sandbox_permissions === 'require_escalated',
        justification: args.justification ?? null,
        grantKey: `exec\u0000${shell}\u0000${cwd}\u0000${args.cmd}`,
      };
    }
  }
}

/** What the tool work of one thread is bound to. */
export interface ToolOptions {
  sandboxAvailable: () => Promise<boolean>;
  env: NodeJS.ProcessEnv;
  home: string;
  onRuleError: (error: RuleFileError) => void;
  /** The thread's rule files as they were when it started. */
  rules: RuleBaseline;
  /** The thread's MCP servers once it is configured (null before, or without any). */
  mcp?: () => ThreadMcp | null;
}

/**
 * The work behind the tool-call machine's actors for one thread: reading calls, judging them
 * against the policy, running commands and patches. This module, with the policy, the process
 * library and the patch code it holds, loads with a thread's first tool call (see tool.call.ts).
 */
export function toolWork(roots: RootPins, options: ToolOptions) {
  const sessions = new ExecSessions(roots);
  return {
    /** The model's view of an escalation's risk; the approval machine bounds how long it may take. */
    assessRisk: async (input: { request: ApprovalRequest; settings: ThreadSettings }, signal: AbortSignal): Promise<CommandRisk | null> => {
      if (input.request.method !== 'item/commandExecution/requestApproval') return null;
      const { command, cwd, reason, threadId } = input.request.params;
      return assessCommandRisk({ command, cwd, reason }, input.settings, { signal, env: options.env, threadId });
    },
    prepareCall: (input: { call: ToolCallRequest; settings: ThreadSettings }): Promise<PreparedCall> =>
      prepareToolCall(input.call, input.settings, sessions, options.env, options.mcp?.() ?? null),
    callMcpTool: async (input: McpToolInput, signal: AbortSignal): Promise<McpOutcome> => {
      const mcp = options.mcp?.() ?? null;
      if (mcp === null) throw new Error('this thread has no MCP servers');
      try {
        const result = await mcp.call(input.server, input.tool, input.arguments, signal);
        return { result: resultForItem(result), error: null, items: resultForModel(input.callId, result) };
      } catch (error) {
        return { result: null, error: errorMessage(error), items: [] };
      }
    },
    amendPolicy: async (input: { prefix: string[] }): Promise<void> => {
      if (input.prefix.length === 0) return;
      const { file, before, after } = await appendAllowRule(options.home, input.prefix);
      options.rules.accept(file, before, after);
    },
    applyPatch: async (input: { run: PatchRun }): Promise<PatchOutcome> => {
      const { plan, cwd } = input.run;
      const started = Date.now();
      try {
        await applyPlan(plan);
      } catch (error) {
        return { status: 'failed', modelOutput: `apply_patch failed, and nothing was written: ${errorMessage(error)}` };
      }
      return { status: 'completed', modelOutput: patchSummary(plan, cwd, Date.now() - started) };
    },
    checkPolicy: async (input: PolicyCheckInput): Promise<PolicyVerdict> => {
      if (input.prepared.kind === 'patch') return checkPatchPolicy(input, input.prepared.run.outside);
      const { run } = input.prepared;
      const spec = run.kind === 'spawn' ? run.spec : null;
      const shell = { program: spec?.shell ?? '', configured: input.thread.shell, searchPath: spec?.env.PATH };
      return checkCommandPolicy(
        input,
        { script: spec?.command ?? '', shell },
        {
          home: options.home,
          cwd: spec?.cwd ?? input.thread.cwd,
          projectTrusted: input.thread.projectTrusted,
          sandboxAvailable: await options.sandboxAvailable(),
          onRuleError: options.onRuleError,
          baseline: options.rules,
        },
      );
    },
    viewImage: async (input: { call: ToolCallRequest; path: string }): Promise<ResponseItem[]> => {
      const image = await loadImage(input.path);
      return [
        { type: 'function_call_output', call_id: input.call.callId, output: `attached image ${input.path}` },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: `<image path="${input.path}">` },
            { type: 'input_image', image_url: image.dataUrl },
            { type: 'input_text', text: '</image>' },
          ],
        },
      ];
    },
    /** Starts a command, or writes to (polls) a running session; a command that cannot start ends at once, failed. */
    startExec: (input: ExecActorInput, sink: OutputSink): ExecHandle => {
      const { run } = input;
      try {
        return run.kind === 'spawn'
          ? sessions.start({ ...run.spec, sandbox: input.mode === 'sandboxed' ? run.spec.sandbox : null }, sink)
          : sessions.writeStdin(run.sessionId, { chars: run.chars, yieldTimeMs: run.yieldTimeMs, maxOutputTokens: run.maxOutputTokens }, sink);
      } catch (error) {
        return { processId: null, kill: () => undefined, done: Promise.resolve(failedOutcome(`failed to run the command: ${errorMessage(error)}`)) };
      }
    },
    killAll: () => sessions.killAll(),
    reapFinished: () => sessions.reapFinished(),
  };
}

/** A thread's tool work, as tool.call.ts binds the machine's actors to it. */
export type ToolWork = ReturnType<typeof toolWork>;
