import * as z from 'zod';

/** Models often send `null` for an argument they mean to leave out; both read as "not given". */
const optionalMs = () => z.number().int().min(0).nullish();
const optionalTokens = () => z.number().int().positive().nullish();

/** Arguments of the `exec_command` tool: one shell script, run in a new process. */
export const ExecCommandArgs = z.object({
  cmd: z.string().min(1, 'must not be empty').describe('The shell script to run.'),
  workdir: z.string().nullish().describe('Directory to run in; relative paths resolve against the thread cwd. Defaults to the thread cwd.'),
  yield_time_ms: optionalMs().describe('How long to wait for the process to finish before returning with its session ID while it keeps running.'),
  max_output_tokens: optionalTokens().describe('Upper bound on how much output is returned; the rest is truncated.'),
  sandbox_permissions: z
    .enum(['use_default', 'require_escalated'])
    .nullish()
    .describe('"require_escalated" asks the user to run this command outside the sandbox; give a justification.'),
  justification: z.string().nullish().describe('With require_escalated: one short sentence, shown to the user, saying why the command needs it.'),
  login: z.boolean().nullish().describe('Run the shell as a login shell (default true).'),
  shell: z.string().nullish().describe("Shell binary to use instead of the user's shell."),
  tty: z.boolean().nullish().describe('Give the process a pseudo-terminal (default false).'),
});
export type ExecCommandArgs = z.infer<typeof ExecCommandArgs>;

/** Arguments of the `write_stdin` tool: input for, or a poll of, a process still running. */
export const WriteStdinArgs = z.object({
  session_id: z.number().int().describe('The session ID an earlier exec_command reported.'),
  chars: z.string().nullish().describe('Text to write to the process; leave empty to only collect new output.'),
  yield_time_ms: optionalMs().describe('How long to wait for more output before returning.'),
  max_output_tokens: optionalTokens().describe('Upper bound on how much output is returned; the rest is truncated.'),
});
export type WriteStdinArgs = z.infer<typeof WriteStdinArgs>;

/** Plan statuses as the model spells them (the wire protocol says inProgress). */
const UpdatePlanStepStatus = z.enum(['pending', 'in_progress', 'completed']);
type UpdatePlanStepStatus = z.infer<typeof UpdatePlanStepStatus>;

/** Arguments of the `update_plan` tool: the whole plan, replacing the previous one. */
export const UpdatePlanArgs = z.object({
  explanation: z.string().nullish().describe('Optional note on what changed in the plan and why.'),
  plan: z
    .array(
      z.object({
        step: z.string().describe('A short description of the step.'),
        status: UpdatePlanStepStatus.describe('pending, in_progress or completed.'),
      }),
    )
    .refine((steps) => steps.filter((s) => s.status === 'in_progress').length <= 1, {
      message: 'at most one step may be in_progress',
    })
    .describe('The steps in order.'),
});
export type UpdatePlanArgs = z.infer<typeof UpdatePlanArgs>;

/** Arguments of the `view_image` tool: a local image to attach to the conversation. */
export const ViewImageArgs = z.object({
  path: z.string().min(1, 'must not be empty').describe('Path of the image file; relative paths resolve against the thread cwd.'),
});
export type ViewImageArgs = z.infer<typeof ViewImageArgs>;

/** Arguments of `apply_patch` offered as a function tool (providers without freeform tools): the patch text. */
export const ApplyPatchArgs = z.object({
  input: z.string().min(1, 'must not be empty').describe('The whole patch, from "*** Begin Patch" to "*** End Patch".'),
});
export type ApplyPatchArgs = z.infer<typeof ApplyPatchArgs>;
