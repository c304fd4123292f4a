import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ContentPart, ResponseItem, UserInput } from '../../protocol/index.js';
import { readCapped } from './agents.md.js';
import { loadImage, reason } from './image.loader.js';
import { SKILL_BODY_CAP_BYTES } from './skills.js';
import { errorMessage } from '../../protocol/index.js';

const text = (value: string): ContentPart => ({ type: 'input_text', text: value });

const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The SKILL.md a skill input points at: the path itself, or SKILL.md inside it when it is a directory. */
async function skillFile(path: string): Promise<string> {
  try {
    if ((await stat(path)).isDirectory()) return join(path, 'SKILL.md');
  } catch {
    // missing: reported when read
  }
  return path;
}

async function skillPart(name: string, path: string): Promise<ContentPart> {
  const file = await skillFile(path);
  try {
    const body = await readCapped(file, SKILL_BODY_CAP_BYTES);
    return text(`<skill name="${attr(name)}" path="${attr(file)}">\n${body.trimEnd()}\n</skill>`);
  } catch (error) {
    return text(`[skill ${name} could not be loaded from ${file}: ${reason(error)}]`);
  }
}

type Loaded = { input: UserInput; image?: { dataUrl: string }; problem?: string };

/** Reads a local image; a path that cannot be read becomes the reason why. */
async function load(input: UserInput, cwd: string): Promise<Loaded> {
  if (input.type !== 'localImage') return { input };
  try {
    return { input, image: await loadImage(isAbsolute(input.path) ? input.path : resolve(cwd, input.path)) };
  } catch (error) {
    return { input, problem: errorMessage(error) };
  }
}

/**
 * The parts one input becomes. A local image is framed as Codex frames it, so the model can
 * refer to it by number and path: `<image name=[Image #N] path="...">`, the image, `</image>`.
 */
async function toParts({ input, image, problem }: Loaded, imageNumber: number): Promise<ContentPart[]> {
  switch (input.type) {
    case 'text':
      return [text(input.text)];
    case 'image':
      return [{ type: 'input_image', image_url: input.url }];
    case 'localImage':
      if (!image) return [text(`statecraft could not attach the local image \`${input.path}\`: ${problem ?? 'unknown error'}`)];
      return [text(`<image name=[Image #${imageNumber}] path="${attr(input.path)}">`), { type: 'input_image', image_url: image.dataUrl }, text('</image>')];
    case 'skill':
      return [await skillPart(input.name, input.path)];
  }
}

/** The user's turn input as one Responses message; unreadable files become notes, never errors. */
export async function userMessageItem(userInput: UserInput[], cwd: string): Promise<ResponseItem> {
  const loaded = await Promise.all(userInput.map((input) => load(input, cwd)));
  // Images are numbered in order among those that could be read.
  let imageNumber = 0;
  const parts = await Promise.all(loaded.map((entry) => toParts(entry, entry.image ? ++imageNumber : imageNumber)));
  return { type: 'message', role: 'user', content: parts.flat() };
}
