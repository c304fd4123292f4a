import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { errorMessage } from '../../protocol/index.js';

/** Larger images are refused rather than inflating the request. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const BY_EXTENSION: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

const startsWith = (bytes: Buffer, signature: number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((value, i) => bytes[at + i] === value);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image type named by the file's first bytes, or null when they match none we send. */
function sniffMime(bytes: Buffer): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

/** True when the bytes look like text (no NUL in the first KiB), so an extension cannot vouch for them. */
function looksLikeText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 1024).includes(0);
}

/** Reads an image file into a data URL; throws an Error naming the path when it cannot or should not. */
export async function loadImage(path: string): Promise<{ dataUrl: string; mime: string }> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    throw new Error(`cannot read image ${path}: ${reason(error)}`);
  }
  if (size > MAX_IMAGE_BYTES) {
    throw new Error(`image ${path} is ${size} bytes, over the ${MAX_IMAGE_BYTES}-byte limit; resize or crop it first`);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read image ${path}: ${reason(error)}`);
  }
  const fallback = BY_EXTENSION[extname(path).toLowerCase()];
  const mime = sniffMime(bytes) ?? (fallback && bytes.length > 0 && !looksLikeText(bytes) ? fallback : null);
  if (!mime) throw new Error(`${path} is not a PNG, JPEG, GIF or WebP image`);
  return { mime, dataUrl: `data:${mime};base64,${bytes.toString('base64')}` };
}

/** A short reason for a failure: the errno code's message when there is one. */
export function reason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT') return 'no such file';
  if (error && typeof error === 'object' && 'code' in error && error.code === 'EACCES') return 'permission denied';
  return errorMessage(error);
}
