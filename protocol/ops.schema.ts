import * as z from 'zod';
import { ApprovalPolicy, ReasoningEffort, ReasoningSummary, SandboxMode, SandboxPolicy } from './common.schema.js';

/** Settings a client may change for one thread at its start (all optional: config fills the rest). */
export const ThreadOverrides = z.object({
  cwd: z.string().optional(),
  model: z.string().optional(),
  modelProvider: z.string().optional(),
  approvalPolicy: ApprovalPolicy.optional(),
  sandbox: SandboxMode.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  profile: z.string().optional(),
  baseInstructions: z.string().optional(),
  developerInstructions: z.string().optional(),
  ephemeral: z.boolean().optional(),
  addDirs: z.array(z.string()).optional(),
  /** A JSON Schema the final answer must follow (`exec --output-schema`); not recorded, so it holds for this run only. */
  outputSchema: z.record(z.string(), z.unknown()).optional(),
});
export type ThreadOverrides = z.infer<typeof ThreadOverrides>;

/** Settings a client may change from one turn on. */
export const TurnOverrides = z.object({
  cwd: z.string().optional(),
  approvalPolicy: ApprovalPolicy.optional(),
  sandboxPolicy: SandboxPolicy.optional(),
  model: z.string().optional(),
  effort: ReasoningEffort.nullable().optional(),
  summary: ReasoningSummary.optional(),
});
export type TurnOverrides = z.infer<typeof TurnOverrides>;
