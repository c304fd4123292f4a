import type { ThreadSettings, ToolSpec } from '../../protocol/index.js';
import { ApplyPatchArgs, ExecCommandArgs, UpdatePlanArgs, ViewImageArgs, WriteStdinArgs } from '../../protocol/index.js';
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

const APPLY_PATCH = [
  'Edits files by applying a patch. The patch starts with "*** Begin Patch" and ends with "*** End Patch".',
  'In between, each file is one section: "*** Add File: PATH" followed by the new lines, each prefixed with "+";',
  '"*** Delete File: PATH"; or "*** Update File: PATH" (optionally followed by "*** Move to: NEWPATH") followed by hunks.',
  'A hunk starts with "@@" (optionally "@@ TEXT", where TEXT is a line such as a function signature that comes before the change)',
  'and lists lines prefixed with " " (unchanged context, about three lines around each change), "-" (removed) or "+" (added).',
  'Add "*** End of File" after a hunk that must match the end of the file. Paths are relative to the working directory.',
].join(' ');

/** The patch format as a Lark grammar, for providers that constrain freeform tool input. */
const APPLY_PATCH_GRAMMAR = String.raw`start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
`;

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
  const specs: ToolSpec[] = [
    fn('exec_command', EXEC_COMMAND, parametersOf(ExecCommandArgs)),
    fn('write_stdin', WRITE_STDIN, parametersOf(WriteStdinArgs)),
    fn('update_plan', UPDATE_PLAN, parametersOf(UpdatePlanArgs)),
  ];
  // Freeform (custom) tools exist only in the Responses API; elsewhere the patch travels as a string argument.
  specs.push(
    settings.provider.wireApi === 'responses'
      ? { type: 'custom', name: 'apply_patch', description: APPLY_PATCH, format: { type: 'grammar', syntax: 'lark', definition: APPLY_PATCH_GRAMMAR } }
      : fn('apply_patch', APPLY_PATCH, parametersOf(ApplyPatchArgs)),
  );
  if (settings.tools.viewImage) specs.push(fn('view_image', VIEW_IMAGE, parametersOf(ViewImageArgs)));
  // The provider runs web searches itself; only the Responses API has the hosted tool.
  if (settings.webSearch !== 'disabled' && settings.provider.wireApi === 'responses') {
    specs.push({ type: 'web_search', external_web_access: settings.webSearch === 'live', search_content_types: ['text', 'image'] });
  }
  return specs;
}
