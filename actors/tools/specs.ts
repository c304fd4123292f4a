import type { ThreadSettings, ToolSpec } from '../../protocol/index.js';
import { ExecCommandArgs, UpdatePlanArgs, ViewImageArgs, WriteStdinArgs } from '../../protocol/index.js';
import { parametersOf } from './json.schema.js';

const EXEC_COMMAND = [
  "Runs a shell script in the user's shell (a login shell unless login is false), in workdir or else the thread's working directory.",
  'Commands run inside the sandbox. If one needs more (writing outside the workspace, network access),',
  'set sandbox_permissions to "require_escalated" and give a one-sentence justification; the user is asked to approve it.',
  'When the process ends within yield_time_ms the result reads "Exit code: N", "Wall time: S seconds" and "Output:" followed by the output.',
  'If it is still running then, the result says "Process running with session ID N" along with the output so far;',
  'the process keeps running, and write_stdin with that session ID sends it input or collects more output.',
].join(' ');

const WRITE_STDIN = [
  'Writes chars to the stdin of a process that exec_command left running, then waits up to yield_time_ms for output.',
  'Send empty chars to just poll for new output. The result has the same form as exec_command:',
  'the exit code once the process has ended, or the session ID again while it is still running.',
].join(' ');

const UPDATE_PLAN = [
  'Records the plan for the current task so the user can follow along. Send the whole list each time; it replaces the previous one.',
  'Each step is pending, in_progress or completed, and at most one step is in_progress at a time.',
  'Mark a step completed when it is done and move the next one to in_progress.',
].join(' ');

const VIEW_IMAGE = 'Attaches a local image file (given by path) to the conversation so you can look at it.';

const fn = (name: string, description: string, parameters: Record<string, unknown>): ToolSpec => ({
  type: 'function',
  name,
  description,
  strict: false,
  parameters,
});

/** The tools offered to the model for a thread. */
export function toolSpecs(settings: ThreadSettings): ToolSpec[] {
  const specs = [
    fn('exec_command', EXEC_COMMAND, parametersOf(ExecCommandArgs)),
    fn('write_stdin', WRITE_STDIN, parametersOf(WriteStdinArgs)),
    fn('update_plan', UPDATE_PLAN, parametersOf(UpdatePlanArgs)),
  ];
  if (settings.tools.viewImage) specs.push(fn('view_image', VIEW_IMAGE, parametersOf(ViewImageArgs)));
  return specs;
}
