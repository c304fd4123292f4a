import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findProjectRoot } from '../config/index.js';

/** Per-file cap so one huge AGENTS.md cannot crowd out the conversation. */
export const AGENTS_FILE_CAP_BYTES = 32 * 1024;

const FILE_NAMES = ['AGENTS.override.md', 'AGENTS.md'];

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The instructions file of one directory: AGENTS.override.md wins over AGENTS.md. */
async function fileIn(dir: string): Promise<string | null> {
  for (const name of FILE_NAMES) {
    const path = join(dir, name);
    if (await isFile(path)) return path;
  }
  return null;
}

/** Directories from the repository root (nearest ancestor holding .git) down to cwd; just cwd outside a repo. */
export async function projectDirs(cwd: string): Promise<string[]> {
  const start = resolve(cwd);
  const root = await findProjectRoot(start);
  const chain: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === root || dirname(dir) === dir) return chain;
  }
}

/** AGENTS.md files that apply at cwd, most general first: the home one, then root down to cwd. */
export async function findAgentsFiles(home: string, cwd: string): Promise<string[]> {
  const found: string[] = [];
  const homeFile = await fileIn(home);
  if (homeFile) found.push(homeFile);
  for (const dir of await projectDirs(cwd)) {
    const file = await fileIn(dir);
    if (file && !found.includes(file)) found.push(file);
  }
  return found;
}

/** A file's text, cut at the cap (on a character boundary) with a note saying how much was left out; throws when it cannot be read. */
export async function readCapped(path: string, cap: number = AGENTS_FILE_CAP_BYTES): Promise<string> {
  const bytes = await readFile(path);
  if (bytes.length <= cap) return bytes.toString('utf8');
  let end = cap;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  const kept = bytes.subarray(0, end).toString('utf8');
  return `${kept}\n[truncated: ${bytes.length - end} bytes omitted from ${path}]`;
}

/** One user-message text holding every applicable AGENTS.md, or null when there are none. */
export async function agentsInstructions(home: string, cwd: string): Promise<string | null> {
  const sections: string[] = [];
  for (const path of await findAgentsFiles(home, cwd)) {
    const text = await readCapped(path).catch(() => null);
    if (text === null || text.trim() === '') continue;
    sections.push(`## ${path}\n\n${text.trimEnd()}`);
  }
  if (sections.length === 0) return null;
  return `# AGENTS.md instructions for ${cwd}\n\n<INSTRUCTIONS>\n${sections.join('\n\n')}\n</INSTRUCTIONS>`;
}
