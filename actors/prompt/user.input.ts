import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ContentPart, ResponseItem, UserInput } from '../../protocol/index.js';
import { loadImage, reason } from './image.loader.js';

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
    const body = await readFile(file, 'utf8');
    return text(`<skill name="${attr(name)}" path="${attr(file)}">\n${body.trimEnd()}\n</skill>`);
  } catch (error) {
    return text(`[skill ${name} could not be loaded from ${file}: ${reason(error)}]`);
  }
}

async function localImagePart(path: string, cwd: string): Promise<ContentPart> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    const image = await loadImage(full);
    return { type: 'input_image', image_url: image.dataUrl };
  } catch (error) {
    return text(`[image ${full} could not be read: ${reason(error)}]`);
  }
}

async function toPart(input: UserInput, cwd: string): Promise<ContentPart> {
  switch (input.type) {
    case 'text':
      return text(input.text);
    case 'image':
      return { type: 'input_image', image_url: input.url };
    case 'localImage':
      return localImagePart(input.path, cwd);
    case 'skill':
      return skillPart(input.name, input.path);
  }
}

/** The user's turn input as one Responses message; unreadable files become notes, never errors. */
export async function userMessageItem(userInput: UserInput[], cwd: string): Promise<ResponseItem> {
  const content = await Promise.all(userInput.map((input) => toPart(input, cwd)));
  return { type: 'message', role: 'user', content };
}
