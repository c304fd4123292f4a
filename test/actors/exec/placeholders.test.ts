import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../../actors/exec/index.js';
import { releasePlaceholders, reservePlaceholders } from '../../../actors/exec/placeholders.js';
import { tempDir } from './helpers.js';

const probe = await probeSandbox();
const dir = tempDir();
afterAll(() => dir.remove());

describe('placeholders for protected folders', () => {
  it('makes a missing folder, counts its users, and removes it after the last', () => {
    const path = join(dir.path, 'a');
    expect(reservePlaceholders([path, path])).toEqual([path]);
    expect(statSync(path).mode & 0o1000).toBe(0o1000);
    expect(reservePlaceholders([path])).toEqual([path]);
    releasePlaceholders([path]);
    expect(existsSync(path)).toBe(true);
    releasePlaceholders([path]);
    expect(existsSync(path)).toBe(false);
  });

  it('leaves alone a folder that was there, and one someone filled meanwhile', () => {
    const existing = join(dir.path, 'existing');
    mkdirSync(existing);
    expect(reservePlaceholders([existing])).toEqual([]);
    const filled = join(dir.path, 'filled');
    reservePlaceholders([filled]);
    writeFileSync(join(filled, 'hooks'), '');
    releasePlaceholders([filled]);
    expect(readdirSync(filled)).toEqual(['hooks']);
  });

  it('adopts an empty sticky folder a crashed run left, and cleans it up', () => {
    const left = join(dir.path, 'left');
    mkdirSync(left, { mode: 0o1755 });
    expect(reservePlaceholders([left])).toEqual([left]);
    releasePlaceholders([left]);
    expect(existsSync(left)).toBe(false);
  });

  it.skipIf(!probe.available)('keeps a placeholder another process still has mounted in its sandbox', async () => {
    const path = join(dir.path, 'shared');
    reservePlaceholders([path]);
    // Another statecraft's sandbox, as far as this process can tell: a mount namespace of its own using the folder.
    const other = execa('bwrap', ['--ro-bind', '/', '/', '--ro-bind', path, path, '--unshare-pid', '--die-with-parent', 'sh', '-c', 'echo ready; sleep 30'], {
      reject: false,
      buffer: false,
    });
    await new Promise((ready) => other.stdout.once('data', ready));
    releasePlaceholders([path]);
    expect(existsSync(path)).toBe(true);
    other.kill('SIGKILL');
    await other;
    reservePlaceholders([path]);
    releasePlaceholders([path]);
    expect(existsSync(path)).toBe(false);
  });
});
