import { constants, existsSync } from 'node:fs';
import { mkdir, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PatchError } from './errors.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * On Linux a path can go through an open directory (/proc/self/fd/N/name): the kernel then
 * uses that very directory, whatever has been renamed or swapped into its path since.
 */
const throughDescriptor = existsSync('/proc/self/fd');

const errorCode = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * A directory a patch writes in, opened once and checked to be the one the plan resolved.
 * Every later file operation goes through the open directory, so a symlink swapped into
 * its path after the check cannot send a write elsewhere. Without /proc (macOS) the real
 * path is checked again right before each operation instead, which leaves a narrow window.
 */
export class HeldDirectory {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Opens the directory at `from` (without following a final symlink when `noFollow`) and
   * checks it really is `path`.
   */
  static async open(path: string, from = path, noFollow = false): Promise<HeldDirectory> {
    const handle = await open(from, O_RDONLY | O_DIRECTORY | (noFollow ? O_NOFOLLOW : 0)).catch((error: unknown) => {
      throw errorCode(error) === 'ENOTDIR' || errorCode(error) === 'ELOOP' ? moved(path, 'it is no longer a directory') : error;
    });
    const held = new HeldDirectory(path, handle);
    try {
      await held.check();
    } catch (error) {
      await handle.close();
      throw error;
    }
    return held;
  }

  /** The path to use for `name` in this directory in the very next file operation. */
  async at(name: string): Promise<string> {
    if (throughDescriptor) return `/proc/self/fd/${this.handle.fd}/${name}`;
    await this.check();
    return join(this.path, name);
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async check(): Promise<void> {
    const actual = await (throughDescriptor ? readlink(`/proc/self/fd/${this.handle.fd}`) : realpath(this.path)).catch(() => null);
    if (actual !== this.path) throw moved(this.path, actual === null ? 'it is gone' : `it now leads to ${actual}`);
  }
}

const moved = (path: string, what: string) => new PatchError(`${path} changed after the patch was checked (${what}); the patch was not applied`, path);

/**
 * The directories one patch application holds open, each opened once, with the ones it had
 * to create remembered (parent and name) so a rollback can remove them the same safe way.
 */
export class DirectoryHolder {
  private readonly held = new Map<string, HeldDirectory>();
  /** Directories created on the way, in creation order. */
  readonly created: Array<{ parent: HeldDirectory; name: string }> = [];

  /** The directory at `path` (the real path the plan resolved), created with its missing parents when `create`. */
  async hold(path: string, create: boolean): Promise<HeldDirectory> {
    const known = this.held.get(path);
    if (known) return known;
    let dir: HeldDirectory;
    try {
      dir = await HeldDirectory.open(path);
    } catch (error) {
      const parent = dirname(path);
      if (!create || errorCode(error) !== 'ENOENT' || parent === path) throw error;
      const up = await this.hold(parent, true);
      const name = basename(path);
      const made = await mkdir(await up.at(name)).then(
        () => true,
        (mkdirError: unknown) => {
          if (errorCode(mkdirError) !== 'EEXIST') throw mkdirError;
          return false;
        },
      );
      if (made) this.created.push({ parent: up, name });
      // Through its parent and without following a link: nothing swapped in since mkdir is used.
      dir = await HeldDirectory.open(path, await up.at(name), true);
    }
    this.held.set(path, dir);
    return dir;
  }

  async release(): Promise<void> {
    await Promise.all([...this.held.values()].map((dir) => dir.close().catch(() => undefined)));
    this.held.clear();
  }
}
