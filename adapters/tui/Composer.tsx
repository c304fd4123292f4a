import { Box, Text, useInput } from 'ink';
import { useMemo, useRef, useState } from 'react';
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
  { name: 'init', description: 'write an AGENTS.md skeleton for this repository' },
  { name: 'quit', description: 'leave statecraft' },
];

/** The text being written and where the cursor is in it. */
export interface Draft {
  text: string;
  cursor: number;
}

export const emptyDraft: Draft = { text: '', cursor: 0 };

interface Suggestion {
  label: string;
  detail?: string;
  /** The draft once this suggestion is taken. */
  apply: (draft: Draft) => Draft;
  /** A slash command runs as soon as it is chosen with Enter. */
  command?: string;
}

/** The `@word` the cursor is in, with where it starts, or null. */
function fileToken(draft: Draft): { start: number; query: string } | null {
  const before = draft.text.slice(0, draft.cursor);
  const match = /(^|\s)@(\S*)$/.exec(before);
  if (!match) return null;
  return { start: draft.cursor - match[2]!.length - 1, query: match[2]! };
}

const MAX_SUGGESTIONS = 8;

function suggestionsFor(draft: Draft, files: readonly string[]): Suggestion[] {
  const slash = /^\/(\S*)$/.exec(draft.text);
  if (slash) {
    return SLASH_COMMANDS.filter((command) => command.name.startsWith(slash[1]!)).map((command) => ({
      label: `/${command.name}`,
      detail: command.description,
      command: command.name,
      apply: () => ({ text: `/${command.name}`, cursor: command.name.length + 1 }),
    }));
  }
  const token = fileToken(draft);
  if (!token) return [];
  return fuzzyFilter(files, token.query, MAX_SUGGESTIONS).map((path) => ({
    label: path,
    apply: (current) => {
      const text = `${current.text.slice(0, token.start)}${path} ${current.text.slice(current.cursor)}`;
      return { text, cursor: token.start + path.length + 1 };
    },
  }));
}

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;

export interface ComposerProps {
  draft: Draft;
  onChange: (draft: Draft) => void;
  onSubmit: (text: string) => void;
  onCommand: (name: string) => void;
  /** Esc with nothing to close: interrupts the running turn. */
  onEscape: () => void;
  history: readonly string[];
  files: readonly string[];
  active: boolean;
  placeholder: string;
}

/**
 * The input box: Enter sends, Ctrl+J (or Shift/Alt+Enter) starts a new line, Up/Down walk
 * through earlier prompts, `/` opens the command popup and `@` the file picker.
 */
export function Composer({ draft: shown, onChange, onSubmit, onCommand, onEscape, history, files, active, placeholder }: ComposerProps) {
  // Keys can come faster than renders: every key works on the draft as the last key left it.
  const latest = useRef(shown);
  latest.current = shown;
  const draft = shown;
  const [selected, setSelected] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  // Where Up/Down is in the history; the draft being written is kept to come back to.
  const browsing = useRef<{ index: number; saved: string } | null>(null);
  const suggestions = useMemo(() => (dismissed === draft.text ? [] : suggestionsFor(draft, files)), [draft, files, dismissed]);
  const choice = suggestions[Math.min(selected, suggestions.length - 1)];

  const set = (text: string, cursor: number) => {
    setSelected(0);
    latest.current = { text, cursor };
    onChange({ text, cursor });
  };
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
            set('', 0);
            onCommand(choice.command);
            return;
          }
          const next = choice.apply(draft);
          set(next.text, next.cursor);
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
        set('', 0);
        const command = /^\/(\S+)$/.exec(text);
        if (command) onCommand(command[1]!);
        else onSubmit(full);
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
        if (draft.cursor === 0) return;
        return set(draft.text.slice(0, draft.cursor - 1) + draft.text.slice(draft.cursor), draft.cursor - 1);
      }
      if (key.ctrl && input === 'u') return set(draft.text.slice(draft.cursor), 0);
      if (key.ctrl || key.tab) return;
      // A paste arrives as one chunk; its line breaks are newlines in the draft, not sends.
      // eslint-disable-next-line no-control-regex -- control characters are keys, never text
      const text = input.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
      if (text) insert(text);
    },
    { isActive: active },
  );

  const before = draft.text.slice(0, draft.cursor);
  const at = draft.text[draft.cursor];
  const after = draft.text.slice(draft.cursor + 1);
  return (
    <Box flexDirection="column">
      <Box borderStyle="round" borderColor={active ? 'cyan' : 'gray'} paddingX={1}>
        <Text>
          <Text color="cyan">› </Text>
          {draft.text === '' ? (
            <>
              <Text inverse> </Text>
              <Text dimColor>{placeholder}</Text>
            </>
          ) : (
            <>
              {before}
              <Text inverse>{at === undefined || at === '\n' ? ' ' : at}</Text>
              {at === '\n' ? '\n' : ''}
              {after}
            </>
          )}
        </Text>
      </Box>
      {suggestions.length > 0 && (
        <Box flexDirection="column" paddingX={2}>
          {suggestions.slice(0, MAX_SUGGESTIONS).map((suggestion, index) => (
            <Text key={suggestion.label} {...(suggestion === choice ? { color: 'cyan', bold: true } : {})}>
              {suggestion === choice ? '› ' : '  '}
              {suggestion.label}
              {suggestion.detail ? <Text dimColor> {suggestion.detail}</Text> : null}
              {index === 0 && suggestions.length > MAX_SUGGESTIONS ? <Text dimColor> (+{suggestions.length - MAX_SUGGESTIONS})</Text> : null}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
