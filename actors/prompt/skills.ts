import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SkillErrorInfo, SkillMetadata, SkillScope, SkillsOutcome, UserInput } from '../../protocol/index.js';
import { projectDirs } from './agents.md.js';
import { reason } from './image.loader.js';

const SKILL_FILE = 'SKILL.md';
/** How deep under a skills root a SKILL.md is looked for (`skills/<group>/<name>/SKILL.md` is depth 3). */
const MAX_DEPTH = 4;
/** Codex's limits on the front matter's fields. */
const MAX_NAME_CHARS = 64;
const MAX_DESCRIPTION_CHARS = 1024;
/** The skills listing in the model's instructions stops at this size; the rest are counted. */
export const SKILLS_LIST_CAP_BYTES = 8 * 1024;
/** A selected skill's SKILL.md is cut at this size, with a note. */
export const SKILL_BODY_CAP_BYTES = 32 * 1024;

/** A SKILL.md that failed to load, with what is wrong. */
class SkillFileError extends Error {}

/** Every SKILL.md under a root, depth first in name order; hidden folders are skipped, symlink cycles visited once. */
async function skillFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    const real = await realpath(dir).catch(() => null);
    if (real === null || seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.name === SKILL_FILE && (entry.isFile() || entry.isSymbolicLink())) {
        if ((await stat(path).catch(() => null))?.isFile()) found.push(path);
        continue;
      }
      if (entry.name.startsWith('.') || depth >= MAX_DEPTH) continue;
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isDirectory());
      if (isDir) await walk(path, depth + 1);
    }
  };
  await walk(root, 0);
  return found;
}

/** The YAML between the opening `---` line and the next `---` line, or null when the file has none. */
function frontMatter(text: string): string | null {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return null;
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  return end === -1 ? null : lines.slice(1, end).join('\n');
}

const field = (value: unknown, key: string, max: number): string => {
  if (typeof value !== 'string' || value.trim() === '') throw new SkillFileError(`\`${key}\` is required in the front matter and must be a non-empty string`);
  const trimmed = value.trim().replace(/\s+/g, ' ');
  if (trimmed.length > max) throw new SkillFileError(`\`${key}\` is ${trimmed.length} characters long; the limit is ${max}`);
  return trimmed;
};

/**
 * Reads one SKILL.md's front matter into a skill; throws a SkillFileError saying what is wrong.
 * The YAML parser loads with the first skill found, so a session without skills never pays for it.
 */
export async function parseSkill(text: string, path: string, scope: SkillScope): Promise<SkillMetadata> {
  const yaml = frontMatter(text);
  if (yaml === null) throw new SkillFileError('no front matter: the file must start with a `---` line, then YAML with `name` and `description`, then `---`');
  const { readYaml } = await import('./yaml.reader.js');
  const read = readYaml(yaml);
  if ('problem' in read) throw new SkillFileError(`invalid YAML in the front matter: ${read.problem}`);
  const { data } = read;
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new SkillFileError('the front matter must be a YAML mapping with `name` and `description`');
  const record = data as Record<string, unknown>;
  const metadata = record['metadata'];
  let shortDescription: string | null = null;
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new SkillFileError('`metadata` must be a mapping');
    const short = (metadata as Record<string, unknown>)['short-description'];
    if (short !== undefined) shortDescription = field(short, 'metadata.short-description', MAX_DESCRIPTION_CHARS);
  }
  return {
    name: field(record['name'], 'name', MAX_NAME_CHARS),
    description: field(record['description'], 'description', MAX_DESCRIPTION_CHARS),
    shortDescription,
    path,
    scope,
    enabled: true,
  };
}

/** Where skills are looked for, lowest precedence first: the user's, then each project folder from the root down to cwd. */
async function skillRoots(home: string, cwd: string, projectTrusted: boolean): Promise<Array<{ root: string; scope: SkillScope }>> {
  const roots: Array<{ root: string; scope: SkillScope }> = [{ root: join(home, 'skills'), scope: 'user' }];
  if (projectTrusted) for (const dir of await projectDirs(cwd)) roots.push({ root: join(dir, '.statecraft', 'skills'), scope: 'repo' });
  return roots;
}

/**
 * The skills that apply at cwd: every SKILL.md under `<home>/skills/` and, for a trusted
 * project, under `.statecraft/skills/` of each folder from the repository root down to cwd.
 * A file that cannot be loaded is an error and the others still load; when two share a name,
 * the one nearer the cwd wins (project over user) and the other is reported.
 */
export async function discoverSkills(home: string, cwd: string, projectTrusted: boolean): Promise<SkillsOutcome> {
  const byName = new Map<string, SkillMetadata>();
  const errors: SkillErrorInfo[] = [];
  for (const { root, scope } of await skillRoots(home, cwd, projectTrusted)) {
    for (const path of await skillFiles(root)) {
      let skill: SkillMetadata;
      try {
        skill = await parseSkill(await readFile(path, 'utf8'), path, scope);
      } catch (error) {
        errors.push({ path, message: error instanceof SkillFileError ? error.message : `cannot read the file: ${reason(error)}` });
        continue;
      }
      const shadowed = byName.get(skill.name);
      if (shadowed) {
        errors.push({ path: shadowed.path, message: `duplicate skill name "${skill.name}": ${skill.path} takes precedence over this one` });
      }
      byName.set(skill.name, skill);
    }
  }
  const skills = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { skills, errors };
}

/** The skills section of the model's context: one line per skill (name, description, path), cut at the cap. */
export function skillsInstructions(skills: SkillMetadata[]): string | null {
  if (skills.length === 0) return null;
  const head = [
    '## Skills',
    'These skills are available. A skill is a SKILL.md file with instructions for one kind of task. When the user names one',
    '(`$name`), its instructions are given to you with their message; otherwise, when a task clearly matches a skill, open its',
    'SKILL.md and follow it.',
  ].join('\n');
  const lines: string[] = [];
  let size = Buffer.byteLength(head);
  for (const [index, skill] of skills.entries()) {
    const line = `- ${skill.name}: ${skill.description} (file: ${skill.path})`;
    size += Buffer.byteLength(line) + 1;
    if (size > SKILLS_LIST_CAP_BYTES) {
      lines.push(`- … ${skills.length - index} more skills not listed (the list is capped at ${SKILLS_LIST_CAP_BYTES} bytes)`);
      break;
    }
    lines.push(line);
  }
  return `${head}\n${lines.join('\n')}`;
}

/** `$name` mentions in the text inputs that name a loaded skill, in order of first mention. */
export function mentionedSkills(input: UserInput[], skills: SkillMetadata[]): SkillMetadata[] {
  const byName = new Map(skills.map((skill) => [skill.name, skill]));
  const chosen = new Set(input.flatMap((entry) => (entry.type === 'skill' ? [entry.name] : [])));
  const found: SkillMetadata[] = [];
  for (const entry of input) {
    if (entry.type !== 'text') continue;
    for (const match of entry.text.matchAll(/(?<![\w$])\$([A-Za-z0-9][\w.:-]*)/g)) {
      const name = match[1]!.replace(/[.:-]+$/, '');
      const skill = byName.get(name);
      if (skill && !chosen.has(name)) {
        chosen.add(name);
        found.push(skill);
      }
    }
  }
  return found;
}
