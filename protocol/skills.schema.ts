import * as z from 'zod';

/** Where a skill was found: the user's home (`user`) or the project's `.statecraft/skills` (`repo`). */
export const SkillScope = z.enum(['user', 'repo']);
export type SkillScope = z.infer<typeof SkillScope>;

/** A loaded skill as clients and the model see it: its front matter and where its SKILL.md is. */
export const SkillMetadata = z.object({
  name: z.string(),
  description: z.string(),
  /** `metadata.short-description` of the front matter, when given. */
  shortDescription: z.string().nullable(),
  path: z.string(),
  scope: SkillScope,
  enabled: z.boolean(),
});
export type SkillMetadata = z.infer<typeof SkillMetadata>;

/** A SKILL.md that could not be loaded, or a duplicate that was set aside: the file and why. */
export const SkillErrorInfo = z.object({ path: z.string(), message: z.string() });
export type SkillErrorInfo = z.infer<typeof SkillErrorInfo>;

/** The outcome of discovering the skills of one working directory. */
export const SkillsOutcome = z.object({ skills: z.array(SkillMetadata), errors: z.array(SkillErrorInfo) });
export type SkillsOutcome = z.infer<typeof SkillsOutcome>;
