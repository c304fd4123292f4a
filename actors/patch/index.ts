export type { PatchPlan, PlannedChange } from './types.js';
export { PatchError } from './errors.js';
export { parsePatch } from './parse.js';
export { extractPatchFromCommand, extractPatchInvocation } from './extract.js';
export { planPatch } from './plan.js';
export { applyPlan } from './apply.js';
export { describeUnwritable, unwritableTargets } from './paths.js';
export { unifiedDiff } from './unified.js';
