import { Box, Text, useInput } from 'ink';
import { useMemo, useRef, useState } from 'react';
import type { ElicitationAction, ElicitationContent } from '../../protocol/index.js';
import { describeElicitation, formFields, type ElicitationEvent } from '../shared/index.js';

export interface QuestionModalProps {
  event: ElicitationEvent;
  onAnswer: (action: ElicitationAction, content: ElicitationContent | null) => void;
}

/** Where the person is: choosing what to do, or typing the field at this index. */
interface Progress {
  field: number | null;
  text: string;
  problem: string | null;
  content: ElicitationContent;
}

/**
 * An MCP server's question over the transcript: answer its form field by field (each typed
 * as one line and checked against the field's schema), decline, or cancel.
 */
export function QuestionModal({ event, onAnswer }: QuestionModalProps) {
  const fields = useMemo(() => formFields(event), [event]);
  const [shown, setShown] = useState<Progress>({ field: null, text: '', problem: null, content: {} });
  // Keys can come faster than renders: the progress so far is kept where every key sees it.
  const progress = useRef(shown);
  const update = (next: Progress) => {
    progress.current = next;
    setShown(next);
  };

  /** Takes the typed line for the current field, then moves on (or answers after the last one). */
  const enter = (current: Progress & { field: number }) => {
    const field = fields[current.field]!;
    const line = current.text.trim();
    const content = { ...current.content };
    if (line !== '' || field.required) {
      const read = field.read(line);
      if ('problem' in read) return update({ ...current, problem: read.problem });
      content[field.name] = read.value;
    }
    if (current.field + 1 < fields.length) update({ field: current.field + 1, text: '', problem: null, content });
    else onAnswer('accept', content);
  };

  useInput((input, key) => {
    const current = progress.current;
    if (current.field === null) {
      const choice = input.toLowerCase();
      if (key.escape || choice === 'c') onAnswer('cancel', null);
      else if (choice === 'd') onAnswer('decline', null);
      else if (choice === 'a') {
        if (fields.length === 0) onAnswer('accept', {});
        else update({ ...current, field: 0 });
      }
      return;
    }
    const field = current.field;
    if (key.escape) update({ field: null, text: '', problem: null, content: {} });
    else if (key.return) enter({ ...current, field });
    else if (key.backspace || key.delete) update({ ...current, text: current.text.slice(0, -1) });
    else if (!key.ctrl && input) {
      // eslint-disable-next-line no-control-regex -- control characters are keys, never text
      const typed = current.text + input.replace(/[\u0000-\u001f\u007f]/g, '');
      if (input.endsWith('\r')) enter({ ...current, field, text: typed });
      else update({ ...current, text: typed });
    }
  });

  const field = shown.field === null ? null : fields[shown.field]!;
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" paddingX={1}>
      <Text bold>{describeElicitation(event)}</Text>
      <Box flexDirection="column" marginTop={1}>
        {field === null ? (
          [
            ['a', fields.length > 0 ? `answer it (${fields.length} field${fields.length === 1 ? '' : 's'})` : 'yes'],
            ['d', 'decline'],
            ['c', 'cancel (Esc)'],
          ].map(([choiceKey, label]) => (
            <Text key={choiceKey}>
              <Text bold color="yellow">
                [{choiceKey}]
              </Text>{' '}
              {label}
            </Text>
          ))
        ) : (
          <>
            <Text>
              {shown.field! + 1}/{fields.length} {field.prompt}
            </Text>
            <Text>
              <Text color="cyan">› </Text>
              {shown.text}
              <Text inverse> </Text>
            </Text>
            {shown.problem && <Text color="red">{shown.problem}</Text>}
            <Text dimColor>Enter takes the line · Esc goes back</Text>
          </>
        )}
      </Box>
    </Box>
  );
}
