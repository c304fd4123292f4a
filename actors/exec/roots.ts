import { closeSync, constants, fstatSync, openSync, realpathSync, statSync } from 'node:fs';

/** A writable root as it was when first seen: its real path and which directory that was. */
interface Pin {
  real: string;
  dev: number;
  ino: number;
}

/** A root ready to bind: its real path and an open descriptor of the directory itself. */
export interface OpenRoot {
  path: string;
  fd: number;
}

/**
 * The writable roots of one thread, pinned to the directories they were when the thread
 * (or the turn that named them) started. A command that moves a root's parent and puts a
 * symlink in its place would otherwise make the next sandbox bind whatever the link points
 * at; instead that command is refused. Roots are bound through descriptors opened here and
 * checked, so nothing can swap them between the check and the mount.
 */
export class RootPins {
  /** null: the root did not exist when pinned, and is never bound. */
  private readonly pins = new Map<string, Pin | null>();

  /** Pins the roots not seen before; those already pinned keep their first identity. */
  pin(roots: string[]): void {
    for (const root of roots) {
      if (this.pins.has(root)) continue;
      try {
        const real = realpathSync(root);
        const { dev, ino } = statSync(real);
        this.pins.set(root, { real, dev, ino });
      } catch {
        this.pins.set(root, null);
      }
    }
  }

  /**
   * Opens every root for binding after checking it is still the directory pinned. Returns
   * the open roots, or the problem that forbids running (then nothing is left open).
   */
  open(roots: string[]): { roots: OpenRoot[]; problem: string | null } {
    this.pin(roots);
    const opened: OpenRoot[] = [];
    const fail = (problem: string) => {
      for (const { fd } of opened) closeSync(fd);
      return { roots: [], problem };
    };
    for (const root of new Set(roots)) {
      const pin = this.pins.get(root);
      if (!pin) continue;
      let now: string | null;
      try {
        now = realpathSync(root);
      } catch {
        now = null;
      }
      let fd: number;
      try {
        // O_NOFOLLOW: the pinned path itself must not have become a link (Node opens close-on-exec).
        fd = openSync(pin.real, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return fail(changed(root, pin, now));
        return fail(`cannot open the writable root ${root} (${pin.real}) to give it to the sandbox: ${(error as Error).message}`);
      }
      const info = fstatSync(fd);
      if (now !== pin.real || info.dev !== pin.dev || info.ino !== pin.ino) {
        closeSync(fd);
        return fail(changed(root, pin, now));
      }
      opened.push({ path: pin.real, fd });
    }
    return { roots: opened, problem: null };
  }
}

const changed = (root: string, pin: Pin, now: string | null) =>
  `the writable root ${root} changed since the thread started (it was the directory ${pin.real}; ` +
  `it now ${now === null ? 'is gone' : now === pin.real ? 'is a different directory' : `leads to ${now}`}), so the sandbox no longer knows ` +
  'what it may write; a command may have moved it. Refusing to run; start a new thread in the intended directory';
