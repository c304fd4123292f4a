import { Box, Text, useInput } from 'ink';
import { useMemo, useRef, useState } from 'react';
import type { SkillMetadata } from '../../protocol/index.js';
import { fuzzyFilter } from './files.js';

interface SlashCommand {
  name: string;
  description: string;
}

const SLASH_COMMANDS: readonly SlashCommand[] = [
  { name: 'model', description: 'choose the model and reasoning effort' },
  { name: 'approvals', description: 'choose when to ask and where commands may write' },
  { name: 'status', description: 'show the configuration, token usage, thread id and rollout file' },
  { name: 'diff', description: "show the turn's changes to the workspace" },
  { name: 'new', description: 'start a new thread' },
  { name: 'resume', description: 'continue a recorded thread' },
  { name: 'compact', description: 'summarize the conversation so far to free the context window' },
  { name: 'init', description: 'write an AGENTS.md skeleton for this repository' },
  { name: 'quit', description: 'leave statecraft' },
];

/** A skill chosen in the `$` picker: sent with the message while its `$name` is in the text. */
type ChosenSkill = Pick<SkillMetadata, 'name' | 'path'>;

/** The text being written, where the cursor is in it, and what goes with it. */
export interface Draft {
  text: string;
  cursor: number;
  /** Images attached by pasting their path (absolute paths). */
  images: readonly string[];
  skills: readonly ChosenSkill[];
}

export const emptyDraft: Draft = { text: '', cursor: 0, images: [], skills: [] };

/** What a message is sent with besides its text. */
export interface Attachments {
  images: string[];
  skills: ChosenSkill[];
}

interface Suggestion {
  label: string;
  detail?: string;
  /** The draft once this suggestion is taken. */
  apply: (draft: Draft) => Draft;
  /** A slash command runs as soon as it is chosen with Enter. */
  command?: string;
}

/** The `@word` or `$word` the cursor is in, with where it starts, or null. */
function token(draft: Draft, sigil: '@' | '$'): { start: number; query: string } | null {
  const before = draft.text.slice(0, draft.cursor);
  const match = new RegExp(`(^|\\s)\\${sigil}(\\S*)$`).exec(before);
  if (!match) return null;
  return { start: draft.cursor - match[2]!.length - 1, query: match[2]! };
}

/** The draft with the token at `start` (up to the cursor) replaced by `word` and a space. */
const replaceToken = (draft: Draft, start: number, word: string): Draft => ({
  ...draft,
  text: `${draft.text.slice(0, start)}${word} ${draft.text.slice(draft.cursor)}`,
  cursor: start + word.length + 1,
});

const MAX_SUGGESTIONS = 8;

function suggestionsFor(draft: Draft, files: readonly string[], skills: readonly SkillMetadata[]): Suggestion[] {
  const slash = /^\/(\S*)$/.exec(draft.text);
  if (slash) {
    return SLASH_COMMANDS.filter((command) => command.name.startsWith(slash[1]!)).map((command) => ({
      label: `/${command.name}`,
      detail: command.description,
      command: command.name,
      apply: (current) => ({ ...current, text: `/${command.name}`, cursor: command.name.length + 1 }),
    }));
  }
  const skill = token(draft, '$');
  if (skill) {
    const byName = new Map(skills.filter((candidate) => candidate.enabled).map((candidate) => [candidate.name, candidate]));
    return fuzzyFilter([...byName.keys()], skill.query, MAX_SUGGESTIONS).map((name) => {
      const chosen = byName.get(name)!;
      return {
        label: `$${name}`,
        detail: chosen.shortDescription ?? chosen.description,
        apply: (current) => ({
          ...replaceToken(current, skill.start, `$${name}`),
          skills: [...current.skills.filter((other) => other.name !== name), { name, path: chosen.path }],
        }),
      };
    });
  }
  const file = token(draft, '@');
  if (!file) return [];
  return fuzzyFilter(files, file.query, MAX_SUGGESTIONS).map((path) => ({
    label: path,
    apply: (current) => replaceToken(current, file.start, path),
  }));
}

/** The chosen skills the text still names. */
const namedSkills = (text: string, skills: readonly ChosenSkill[]): ChosenSkill[] =>
  skills.filter((skill) => new RegExp(`(^|[^\\w$])\\$${skill.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(text));

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;

export interface ComposerProps {
  draft: Draft;
  onChange: (draft: Draft) => void;
  onSubmit: (text: string, attachments: Attachments) => void;
  onCommand: (name: string) => void;
  /** Esc with nothing to close: interrupts the running turn. */
  onEscape: () => void;
  history: readonly string[];
  files: readonly string[];
  skills: readonly SkillMetadata[];
  /** The image a pasted chunk names (absolute path), or null: such a paste attaches the image. */
  imageOf: (chunk: string) => string | null;
  active: boolean;
  placeholder: string;
  /** No colours or inverse video (NO_COLOR): the cursor is drawn as a character. */
  plain: boolean;
}

/**
 * The input box: Enter sends, Ctrl+J (or Shift/Alt+Enter) starts a new line, Up/Down walk
 * through earlier prompts, `/` opens the command popup, `@` the file picker and `$` the skills
 * picker; a pasted path to an image attaches that image.
 */
export function Composer({
  draft: shown,
  onChange,
  onSubmit,
  onCommand,
  onEscape,
  history,
  files,
  skills,
  imageOf,
  active,
  placeholder,
  plain,
}: ComposerProps) {
  // Keys can come faster than renders: every key works on the draft as the last key left it.
  const latest = useRef(shown);
  latest.current = shown;
  const draft = shown;
  const [selected, setSelected] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  // Where Up/Down is in the history; the draft being written is kept to come back to.
  const browsing = useRef<{ index: number; saved: string } | null>(null);
  const suggestions = useMemo(() => (dismissed === draft.text ? [] : suggestionsFor(draft, files, skills)), [draft, files, skills, dismissed]);
  const chosenIndex = Math.min(selected, suggestions.length - 1);
  const choice = suggestions[chosenIndex];
  // The popup shows a window of the suggestions that keeps the chosen one in view.
  const first = Math.max(0, Math.min(chosenIndex - MAX_SUGGESTIONS + 1, suggestions.length - MAX_SUGGESTIONS));

  const update = (next: Draft) => {
    setSelected(0);
    latest.current = next;
    onChange(next);
  };
  const set = (text: string, cursor: number) => update({ ...latest.current, text, cursor });
  const insert = (chunk: string) => {
    const now = latest.current;
    set(now.text.slice(0, now.cursor) + chunk + now.text.slice(now.cursor), now.cursor + chunk.length);
  };

  const walkHistory = (step: -1 | 1): boolean => {
    if (history.length === 0) return false;
    const current = browsing.current ?? { index: history.length, saved: draft.text };
    const index = Math.max(0, Math.min(history.length, current.index + step));
    if (index === current.index) return true;
    browsing.current = index === history.length ? null : { index, saved: current.saved };
    const text = index === history.length ? current.saved : history[index]!;
    set(text, text.length);
    return true;
  };

  useInput(
    (input, key) => {
      if (suggestions.length > 0 && choice) {
        if (key.upArrow || key.downArrow) {
          setSelected((index) => (index + (key.upArrow ? suggestions.length - 1 : 1)) % suggestions.length);
          return;
        }
        if (key.tab || (key.return && !key.meta && !key.shift)) {
          if (key.return && choice.command) {
            update(emptyDraft);
            onCommand(choice.command);
            return;
          }
          update(choice.apply(latest.current));
          return;
        }
        if (key.escape) {
          setDismissed(draft.text);
          return;
        }
      }
      if (key.escape) {
        onEscape();
        return;
      }
      if (key.return && (key.meta || key.shift)) return insert('\n');
      // Typed text and Enter that arrive in one read (a fast typist, a slow link) are text, then a send.
      const typedThenEnter = input.length > 1 && /^[^\r\n]+\r$/.test(input);
      if (key.return || typedThenEnter) {
        const typed = typedThenEnter ? input.slice(0, -1) : '';
        const now = latest.current;
        const full = now.text.slice(0, now.cursor) + typed + now.text.slice(now.cursor);
        const text = full.trim();
        if (!text) return;
        browsing.current = null;
        update(emptyDraft);
        const command = /^\/(\S+)$/.exec(text);
        if (command) onCommand(command[1]!);
        else onSubmit(full, { images: [...now.images], skills: namedSkills(full, now.skills) });
        return;
      }
      if (input === '\n' || (key.ctrl && input === 'j')) return insert('\n');
      if (key.upArrow) {
        if (lineStart(draft.text, draft.cursor) === 0 && walkHistory(-1)) return;
        const start = lineStart(draft.text, draft.cursor);
        const previous = lineStart(draft.text, start - 1);
        set(draft.text, Math.min(previous + (draft.cursor - start), start - 1));
        return;
      }
      if (key.downArrow) {
        const end = draft.text.indexOf('\n', draft.cursor);
        if (end < 0) {
          if (browsing.current) walkHistory(1);
          return;
        }
        const column = draft.cursor - lineStart(draft.text, draft.cursor);
        const nextEnd = draft.text.indexOf('\n', end + 1);
        set(draft.text, Math.min(end + 1 + column, nextEnd < 0 ? draft.text.length : nextEnd));
        return;
      }
      if (key.leftArrow) return set(draft.text, Math.max(0, draft.cursor - 1));
      if (key.rightArrow) return set(draft.text, Math.min(draft.text.length, draft.cursor + 1));
      if (key.home || (key.ctrl && input === 'a')) return set(draft.text, lineStart(draft.text, draft.cursor));
      if (key.end || (key.ctrl && input === 'e')) {
        const end = draft.text.indexOf('\n', draft.cursor);
        return set(draft.text, end < 0 ? draft.text.length : end);
      }
      if (key.backspace || key.delete) {
        // Terminals send DEL (which Ink calls delete) for the Backspace key.
        const now = latest.current;
        if (now.cursor === 0) return;
        return set(now.text.slice(0, now.cursor - 1) + now.text.slice(now.cursor), now.cursor - 1);
      }
      if (key.ctrl && input === 'u') return set(draft.text.slice(draft.cursor), 0);
      if (key.ctrl || key.tab) return;
      // A paste arrives as one chunk; its line breaks are newlines in the draft, not sends.
      // eslint-disable-next-line no-control-regex -- control characters are keys, never text
      const text = input.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
      const image = text.length > 1 ? imageOf(text) : null;
      if (image) update({ ...latest.current, images: [...latest.current.images.filter((path) => path !== image), image] });
      else if (text) insert(text);
    },
    { isActive: active },
  );

  const before = draft.text.slice(0, draft.cursor);
  const at = draft.text[draft.cursor];
  const after = draft.text.slice(draft.cursor + 1);
  // Inverse video shows the cursor; without it (NO_COLOR), a bar before the character does.
  const cursor = (under: string) => (plain ? <Text>{under === ' ' ? '_' : `|${under}`}</Text> : <Text inverse>{under}</Text>);
  return (
    <Box flexDirection="column">
      <Box borderStyle="round" borderColor={active ? 'cyan' : 'gray'} paddingX={1} flexDirection="column">
        {draft.images.map((path, index) => (
          <Text key={path} color="magenta" wrap="truncate-middle">
            [image {index + 1}] {path}
          </Text>
        ))}
        <Text>
          <Text color="cyan">› </Text>
          {draft.text === '' ? (
            <>
              {cursor(' ')}
              <Text dimColor>{placeholder}</Text>
            </>
          ) : (
            <>
              {before}
              {cursor(at === undefined || at === '\n' ? ' ' : at)}
              {at === '\n' ? '\n' : ''}
              {after}
            </>
          )}
        </Text>
      </Box>
      {suggestions.length > 0 && (
        <Box flexDirection="column" paddingX={2}>
          {suggestions.slice(first, first + MAX_SUGGESTIONS).map((suggestion, offset) => (
            <Text key={suggestion.label} {...(suggestion === choice ? { color: 'cyan', bold: true } : {})} wrap="truncate-end">
              {suggestion === choice ? '› ' : '  '}
              {suggestion.label}
              {suggestion.detail ? <Text dimColor> {suggestion.detail}</Text> : null}
              {offset === 0 && suggestions.length > MAX_SUGGESTIONS ? <Text dimColor> ({suggestions.length - MAX_SUGGESTIONS} more: ↑/↓)</Text> : null}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
