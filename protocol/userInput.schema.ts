import * as z from 'zod';

/** A span inside a text input that a client marked up (mentions and the like), by byte offsets; kept as given. */
const TextElement = z.object({
  byteRange: z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }),
  placeholder: z.string().nullish(),
});

/** One piece of what the user sends in a turn. */
export const UserInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string(), text_elements: z.array(TextElement).default([]) }),
  z.object({ type: z.literal('image'), url: z.string().min(1) }),
  z.object({ type: z.literal('localImage'), path: z.string().min(1) }),
  z.object({ type: z.literal('skill'), name: z.string().min(1), path: z.string().min(1) }),
]);
export type UserInput = z.infer<typeof UserInput>;
