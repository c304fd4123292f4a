import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadImage, MAX_IMAGE_BYTES } from '../../../actors/prompt/index.js';
import { tempDir, TINY_PNG } from './fixtures.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function dir() {
  const made = await tempDir();
  cleanups.push(made.cleanup);
  return made.dir;
}

describe('loadImage', () => {
  it('detects types from magic bytes regardless of extension', async () => {
    const base = await dir();
    const cases: Array<[string, Buffer, string]> = [
      ['a.bin', TINY_PNG, 'image/png'],
      ['b.img', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
      ['c', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'image/gif'],
      ['d', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), 'image/webp'],
    ];
    for (const [name, bytes, mime] of cases) {
      const path = join(base, name);
      await writeFile(path, bytes);
      const image = await loadImage(path);
      expect(image.mime).toBe(mime);
      expect(image.dataUrl).toBe(`data:${mime};base64,${bytes.toString('base64')}`);
    }
  });

  it('refuses missing files, non-images and oversized files, naming the path', async () => {
    const base = await dir();
    const missing = join(base, 'missing.png');
    await expect(loadImage(missing)).rejects.toThrow(missing);
    const text = join(base, 'notes.png');
    await writeFile(text, 'just some text');
    await expect(loadImage(text)).rejects.toThrow(/notes\.png is not a PNG/);
    const big = join(base, 'big.png');
    await writeFile(big, Buffer.concat([TINY_PNG, Buffer.alloc(MAX_IMAGE_BYTES)]));
    await expect(loadImage(big)).rejects.toThrow(/big\.png .*over the/);
    await expect(loadImage(base)).rejects.toThrow(base);
  });
});
