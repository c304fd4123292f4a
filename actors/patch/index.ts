export type {
  AddOperation,
  ApplyOptions,
  DeleteOperation,
  HunkLine,
  ParsedPatch,
  PatchChangeKindName,
  PatchHunk,
  PatchOperation,
  PatchPlan,
  PlannedChange,
  PlanOptions,
  UnifiedDiffOptions,
  UpdateOperation,
} from './types.js';
export { PatchError } from './errors.js';
export { parsePatch } from './parse.js';
export { extractPatchFromCommand, extractPatchInvocation, type PatchInvocation } from './extract.js';
export { planPatch } from './plan.js';
export { applyPlan } from './apply.js';
export { describeUnwritable, unwritableTargets, type UnwritableTarget } from './paths.js';
export { unifiedDiff } from './unified.js';
export { normalisePunctuation } from './normalise.js';
