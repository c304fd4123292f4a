import type { PreparedTurn } from '../../machines/index.js';
import type { ResponseItem, SkillMetadata, ThreadSettings, UserInput } from '../../protocol/index.js';
import { agentsInstructions } from './agents.md.js';
import { ENVIRONMENT_CONTEXT_OPEN, environmentContext } from './environment.context.js';
import { mentionedSkills, skillsInstructions } from './skills.js';
import { userMessageItem } from './user.input.js';

const message = (role: 'user' | 'developer', text: string): ResponseItem => ({
  type: 'message',
  role,
  content: [{ type: 'input_text', text }],
});

/** The text of the last environment context the model was given, or null when it never was. */
function lastEnvironmentContext(history: ResponseItem[]): string | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const item = history[i];
    if (!item || item.type !== 'message' || !('role' in item) || item.role !== 'user') continue;
    const content = (item as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const value = (part as { text?: unknown }).text;
      if (typeof value === 'string' && value.startsWith(ENVIRONMENT_CONTEXT_OPEN)) return value;
    }
  }
  return null;
}

/**
 * Context items for this turn (full on the first turn, only a changed environment later) and
 * the user's message, with the SKILL.md of every skill the text names as `$name` after it.
 */
export async function prepareTurn({
  settings,
  history,
  userInput,
  home,
  skills,
}: {
  settings: ThreadSettings;
  history: ResponseItem[];
  userInput: UserInput[];
  home: string;
  /** The skills loaded for the session. */
  skills: SkillMetadata[];
}): Promise<PreparedTurn> {
  const contextItems: ResponseItem[] = [];
  const environment = environmentContext(settings);
  const previous = lastEnvironmentContext(history);
  if (previous === null) {
    if (settings.developerInstructions) contextItems.push(message('developer', settings.developerInstructions));
    const agents = await agentsInstructions(home, settings.cwd);
    if (agents) contextItems.push(message('user', agents));
    const listing = skillsInstructions(skills);
    if (listing) contextItems.push(message('user', listing));
    contextItems.push(message('user', environment));
  } else if (previous !== environment) {
    contextItems.push(message('user', environment));
  }
  const selected = mentionedSkills(userInput, skills).map((skill): UserInput => ({ type: 'skill', name: skill.name, path: skill.path }));
  const userItem = await userMessageItem([...userInput, ...selected], settings.cwd);
  return { contextItems, userItem };
}
