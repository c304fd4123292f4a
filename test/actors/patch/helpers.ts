import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** A directory tree as relative path → content (symlinks as `-> target`). */
export type Tree = Record<string, string>;

export function tempDir(): { path: string; remove: () => void } {
  // realpath: on some systems tmpdir itself sits behind a symlink.
  const path = realpathSync(mkdtempSync(join(tmpdir(), 'patch-test-')));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeTree(root: string, tree: Tree): void {
  for (const [path, content] of Object.entries(tree)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** Every file under root (hidden ones included, so leftover temp files show up). */
export function readTree(root: string): Tree {
  const out: Tree = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) out[relative(root, full)] = `-> ${readlinkSync(full)}`;
      else if (stat.isDirectory()) walk(full);
      else out[relative(root, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return out;
}

/** Directories under root, relative, so rollback of created directories can be checked. */
export function readDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (lstatSync(full).isDirectory()) {
        out.push(relative(root, full));
        walk(full);
      }
    }
  };
  walk(root);
  return out;
}

/** Makes numbered workspaces under root, each filled with a tree. */
export function workspaces(root: string): (tree: Tree) => string {
  let counter = 0;
  return (tree) => {
    const dir = join(root, `ws${counter++}`);
    mkdirSync(dir);
    writeTree(dir, tree);
    return dir;
  };
}
