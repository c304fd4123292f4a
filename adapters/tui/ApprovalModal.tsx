import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { ApprovalDecision, FileUpdateChange } from '../../protocol/index.js';
import { displayCommand, type ApprovalEvent } from './transcript.state.js';

interface Choice {
  key: string;
  label: string;
  /** null: "no, and say what to do instead", which asks for the text first. */
  decision: ApprovalDecision | null;
}

type AmendmentDecision = Extract<ApprovalDecision, object>;

/** The choices this request offers, each with its key; the prefix one only when the policy proposed a rule. */
function approvalChoices(event: ApprovalEvent): Choice[] {
  const offered = event.method === 'item/commandExecution/requestApproval' ? event.params.availableDecisions : null;
  const has = (decision: 'accept' | 'acceptForSession' | 'decline' | 'cancel') => !offered || offered.includes(decision);
  const amendment = offered?.find((decision): decision is AmendmentDecision => typeof decision === 'object');
  const choices: Choice[] = [];
  if (has('accept')) choices.push({ key: 'y', label: 'yes, once', decision: 'accept' });
  if (has('acceptForSession')) choices.push({ key: 'a', label: 'yes, and do not ask again for this in this session', decision: 'acceptForSession' });
  if (amendment) {
    const prefix = amendment.acceptWithExecpolicyAmendment.execpolicy_amendment.join(' ');
    choices.push({ key: 'p', label: `yes, and always allow commands that start with \`${prefix}\``, decision: amendment });
  }
  if (has('decline')) choices.push({ key: 'n', label: 'no, and tell the model what to do instead', decision: null });
  if (has('cancel')) choices.push({ key: 'c', label: 'no, and stop the turn (Esc)', decision: 'cancel' });
  return choices;
}

export interface ApprovalModalProps {
  event: ApprovalEvent;
  /** For a patch: the changes it would make. */
  changes: FileUpdateChange[] | null;
  onDecide: (decision: ApprovalDecision) => void;
  /** "No" with the text the model should get instead (empty: a plain no). */
  onDeclineWith: (text: string) => void;
}

/** The approval question over the transcript: what would run, where, why, and the answers with their keys. */
export function ApprovalModal({ event, changes, onDecide, onDeclineWith }: ApprovalModalProps) {
  const choices = approvalChoices(event);
  const [typing, setTypingState] = useState<string | null>(null);
  // Keys can come faster than renders: the text so far is kept where every key sees it.
  const text = useRef<string | null>(null);
  const setTyping = (value: string | null) => {
    text.current = value;
    setTypingState(value);
  };

  useInput((input, key) => {
    const current = text.current;
    if (current !== null) {
      if (key.escape) setTyping(null);
      else if (key.return) onDeclineWith(current.trim());
      else if (key.backspace || key.delete) setTyping(current.slice(0, -1));
      else if (!key.ctrl && input) {
        // Text and Enter that arrive in one read are the text, then a send.
        // eslint-disable-next-line no-control-regex -- control characters are keys, never text
        const typed = current + input.replace(/[\u0000-\u001f\u007f]/g, '');
        if (input.endsWith('\r')) onDeclineWith(typed.trim());
        else setTyping(typed);
      }
      return;
    }
    if (key.escape) {
      onDecide('cancel');
      return;
    }
    const picked = choices.find((choice) => choice.key === input.toLowerCase());
    if (!picked) return;
    if (picked.decision === null) setTyping('');
    else onDecide(picked.decision);
  });

  const command = event.method === 'item/commandExecution/requestApproval' ? event.params : null;
  const patch = event.method === 'item/fileChange/requestApproval' ? event.params : null;
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" paddingX={1}>
      {command ? (
        <>
          <Text bold>The agent wants to run:</Text>
          <Text color="cyan" bold>
            $ {displayCommand(command.command)}
          </Text>
          <Text dimColor>in {command.cwd}</Text>
          {command.reason && <Text>reason: {command.reason}</Text>}
          {command.risk && (
            <Text color={command.risk.riskLevel === 'high' ? 'red' : command.risk.riskLevel === 'medium' ? 'yellow' : 'green'}>
              risk ({command.risk.riskLevel}): {command.risk.description}
            </Text>
          )}
        </>
      ) : (
        <>
          <Text bold>The agent wants to change files{patch?.grantRoot ? ` under ${patch.grantRoot}` : ''}:</Text>
          {patch?.reason && <Text>reason: {patch.reason}</Text>}
          {(changes ?? []).map((change) => (
            <Box key={change.path} flexDirection="column">
              <Text bold>
                {change.kind.type} {change.path}
              </Text>
              {change.diff
                .replace(/\n$/, '')
                .split('\n')
                .map((line, index) => (
                  <Text key={index} color={line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : undefined}>
                    {line || ' '}
                  </Text>
                ))}
            </Box>
          ))}
        </>
      )}
      <Box flexDirection="column" marginTop={1}>
        {typing === null ? (
          choices.map((choice) => (
            <Text key={choice.key}>
              <Text bold color="yellow">
                [{choice.key}]
              </Text>{' '}
              {choice.label}
            </Text>
          ))
        ) : (
          <>
            <Text>What should the model do instead? (Enter sends, Esc goes back)</Text>
            <Text>
              <Text color="cyan">› </Text>
              {typing}
              <Text inverse> </Text>
            </Text>
          </>
        )}
      </Box>
    </Box>
  );
}
