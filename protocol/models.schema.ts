import * as z from 'zod';
import { ReasoningEffort } from './common.schema.js';

const ReasoningEffortOption = z.object({ reasoningEffort: ReasoningEffort, description: z.string() });

/** A model as `model/list` describes it; the runtime's catalog extends it. */
export const ModelInfo = z.object({
  id: z.string(),
  model: z.string(),
  displayName: z.string(),
  description: z.string(),
  hidden: z.boolean(),
  supportedReasoningEfforts: z.array(ReasoningEffortOption),
  defaultReasoningEffort: ReasoningEffort,
  /** The model this one should be replaced by, if any. */
  upgrade: z.string().nullable(),
  isDefault: z.boolean(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;
