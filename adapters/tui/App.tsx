import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Box, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApprovalModal } from './ApprovalModal.js';
import { Composer, emptyDraft, type Attachments, type Draft } from './Composer.js';
import { listFiles, pastedImagePath } from './files.js';
import type { PromptHistory } from './history.js';
import { Picker, type PickerItem } from './Picker.js';
import { QuestionModal } from './QuestionModal.js';
import { APPROVAL_PRESETS, type TuiSession } from './session.js';
import { StatusBar } from './StatusBar.js';
import { Transcript } from './Transcript.js';
import { contextLeftPercent } from './transcript.state.js';

/** What `/model` offers: a model, with one of its reasoning efforts when it has any. */
type OfferedModel = Awaited<ReturnType<TuiSession['models']>>[number];
type Choice = { model: OfferedModel; effort: OfferedModel['supportedReasoningEfforts'][number] | null };

/** How long a first Ctrl+C waits for the second that quits. */
const QUIT_WINDOW_MS = 2000;

const AGENTS_SKELETON = `# AGENTS.md

Instructions for coding agents working in this repository.

## Project
- What it is and how it is laid out:

## Build and test
- Install:
- Build:
- Test:

## Conventions
- Code style:
- Commits:
`;

interface PickerState {
  title: string;
  items: PickerItem[];
  onPick: (index: number) => void;
  onCancel?: () => void;
}

export interface AppProps {
  session: TuiSession;
  history: PromptHistory;
  cwd: string;
  initialPrompt: string | null;
  /** Images (absolute paths) attached to the initial prompt. */
  initialImages: string[];
  /** Show the recent threads to pick one from, before anything else (no thread is open until one is picked; Esc opens a new one). */
  pickResume: boolean;
  /** NO_COLOR: nothing is told apart by colour or inverse video alone. */
  plain: boolean;
  onQuit: () => void;
}

/** Clears the screen and its scrollback, cursor home. */
const CLEAR_TERMINAL = '\u001b[2J\u001b[3J\u001b[H';
/** Resize events come in bursts while a window is dragged; the redraw waits for the last. */
const RESIZE_SETTLE_MS = 80;

/**
 * The terminal's size, and a count of redraws. When the size changes the terminal has already
 * rewrapped what it shows (tmux and most emulators do), so the screen is cleared and everything
 * is printed again for the new width: the count is the key that makes the history print again.
 */
function useTerminalSize() {
  const { stdout, write } = useStdout();
  const [size, setSize] = useState(() => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 }));
  const [redraws, setRedraws] = useState(0);
  useEffect(() => {
    let timer: NodeJS.Timeout | null = null;
    const onResize = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        write(CLEAR_TERMINAL);
        setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
        setRedraws((count) => count + 1);
      }, RESIZE_SETTLE_MS);
    };
    stdout.on('resize', onResize);
    return () => {
      if (timer) clearTimeout(timer);
      stdout.off('resize', onResize);
    };
  }, [stdout, write]);
  return { ...size, redraws };
}

const ago = (seconds: number) => {
  const delta = Math.max(0, Math.floor(Date.now() / 1000) - seconds);
  if (delta < 60) return `${delta}s ago`;
  if (delta < 3600) return `${Math.floor(delta / 60)}m ago`;
  if (delta < 86400) return `${Math.floor(delta / 3600)}h ago`;
  return `${Math.floor(delta / 86400)}d ago`;
};

/** The whole screen: transcript, then an approval, an MCP server's question, a picker or the composer, then the status line. */
export function App({ session, history, cwd, initialPrompt, initialImages, pickResume, plain, onQuit }: AppProps) {
  const snapshot = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const { columns, rows, redraws } = useTerminalSize();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [picker, setPicker] = useState<PickerState | null>(null);
  const [files, setFiles] = useState<string[]>([]);
  const [hint, setHint] = useState('');
  const quitArmed = useRef(0);
  const { transcript, view } = snapshot;
  const approval = transcript.approvals[0] ?? null;
  // An MCP server's question waits behind the agent's approvals.
  const question = approval ? null : (transcript.elicitations[0] ?? null);

  useEffect(() => {
    void listFiles(cwd).then(setFiles);
  }, [cwd]);

  const send = useCallback(
    (text: string, { images, skills }: Attachments = { images: [], skills: [] }) => {
      if (session.submit(text, images, skills) && session.threadId) void history.add(session.threadId, text);
    },
    [session, history],
  );

  const showResumePicker = useCallback(async () => {
    const { data } = await session.recent(50);
    const openNew = () => session.startNew().catch((error: Error) => session.note('error', error.message));
    setPicker({
      title: 'Resume a thread',
      items: data.map((thread) => ({
        label: (thread.preview || '(no message)').split('\n')[0]!.slice(0, 60),
        detail: `${ago(thread.updatedAt)} · ${thread.cwd}`,
      })),
      onPick: (index) => {
        const thread = data[index];
        setPicker(null);
        if (thread) session.resume(thread.id).catch((error: Error) => session.note('error', error.message));
      },
      // Leaving the picker with no thread open starts a new one, as `statecraft` alone would.
      onCancel: () => {
        setPicker(null);
        if (!session.threadId) void openNew();
      },
    });
  }, [session]);

  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (pickResume) void showResumePicker();
    else if (initialPrompt) send(initialPrompt, { images: initialImages, skills: [] });
  }, [pickResume, initialPrompt, initialImages, send, showResumePicker]);

  const runCommand = (name: string) => {
    switch (name) {
      case 'model':
        void session.models().then((models) => {
          // A model the provider serves but the catalog does not know is offered once, with no effort named.
          const choices = models.flatMap((model): Choice[] =>
            model.supportedReasoningEfforts.length > 0 ? model.supportedReasoningEfforts.map((effort) => ({ model, effort })) : [{ model, effort: null }],
          );
          setPicker({
            title: 'Model and reasoning effort for the next turns',
            items: choices.map(({ model, effort }) =>
              effort
                ? { label: `${model.displayName} ${effort.reasoningEffort}`, detail: effort.description }
                : { label: model.displayName, detail: model.description },
            ),
            onPick: (index) => {
              const choice = choices[index];
              if (choice) session.setModel(choice.model.model, choice.effort?.reasoningEffort ?? null);
              setPicker(null);
            },
          });
        });
        return;
      case 'approvals':
        setPicker({
          title: 'When to ask, and where commands may write',
          items: APPROVAL_PRESETS.map((preset) => ({ label: preset.label })),
          onPick: (index) => {
            session.setApprovalPreset(APPROVAL_PRESETS[index]!.id);
            setPicker(null);
          },
        });
        return;
      case 'status': {
        const usage = transcript.usage?.total;
        session.note(
          'info',
          view
            ? [
                `thread     ${view.threadId}`,
                `model      ${view.model}${view.effort ? ` (reasoning ${view.effort})` : ''}`,
                `sandbox    ${view.sandbox}`,
                `approval   ${view.approval}`,
                `directory  ${view.cwd}`,
                `rollout    ${view.rolloutPath ?? '(not recorded)'}`,
                `tokens     ${usage ? `${usage.totalTokens} (input ${usage.inputTokens}, cached ${usage.cachedInputTokens}, output ${usage.outputTokens})` : 'none yet'}`,
              ].join('\n')
            : 'the thread is still starting',
        );
        return;
      }
      case 'diff':
        if (transcript.diff) session.push({ kind: 'diff', id: `diff-${Date.now()}`, diff: transcript.diff });
        else session.note('info', 'no changes to the workspace in this thread yet');
        return;
      case 'new':
        session.startNew().catch((error: Error) => session.note('error', error.message));
        return;
      case 'resume':
        void showResumePicker();
        return;
      case 'compact':
        session.compact();
        return;
      case 'init': {
        const path = join(cwd, 'AGENTS.md');
        if (existsSync(path)) session.note('warning', `${path} already exists; left as it is`);
        else
          writeFile(path, AGENTS_SKELETON).then(
            () => session.note('info', `wrote ${path}: fill it in, the agent reads it at every turn`),
            (error: Error) => session.note('error', `could not write ${path}: ${error.message}`),
          );
        return;
      }
      case 'quit':
      case 'exit':
        onQuit();
        return;
      default:
        session.note('warning', `unknown command /${name}; type / to see the commands`);
    }
  };

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (draft.text !== '' || draft.images.length > 0) {
        setDraft(emptyDraft);
        return;
      }
      if (Date.now() - quitArmed.current < QUIT_WINDOW_MS) {
        onQuit();
        return;
      }
      quitArmed.current = Date.now();
      setHint('Ctrl+C again to quit');
      setTimeout(() => setHint(''), QUIT_WINDOW_MS);
      return;
    }
    if (key.ctrl && input === 'o') {
      // The latest folded command output or reasoning, shown whole.
      const folded = [...transcript.done].reverse().find((entry) => entry.kind === 'command' || entry.kind === 'reasoning');
      if (folded) session.push({ ...folded, id: `${folded.id}-expanded-${Date.now()}`, expanded: true });
    }
  });

  const changes = approval?.method === 'item/fileChange/requestApproval' ? transcript.live.find((entry) => entry.id === approval.params.itemId) : undefined;
  return (
    <Box flexDirection="column" width={Math.max(20, columns - 1)}>
      <Transcript
        generation={`${view?.threadId ?? ''}#${redraws}`}
        done={transcript.done}
        live={transcript.live}
        width={Math.max(20, columns - 1)}
        rows={rows}
      />
      {approval ? (
        <ApprovalModal
          key={approval.approvalId}
          event={approval}
          changes={changes?.kind === 'patch' ? changes.changes : null}
          onDecide={(decision) => session.decide(approval.approvalId, decision)}
          onDeclineWith={(text) => (text ? session.declineWithMessage(approval.approvalId, text) : session.decide(approval.approvalId, 'decline'))}
        />
      ) : question ? (
        <QuestionModal
          key={question.approvalId}
          event={question}
          onAnswer={(action, content) => session.answerQuestion(question.approvalId, action, content)}
        />
      ) : picker ? (
        <Picker title={picker.title} items={picker.items} onPick={picker.onPick} onCancel={picker.onCancel ?? (() => setPicker(null))} />
      ) : null}
      <Composer
        draft={draft}
        onChange={setDraft}
        onSubmit={send}
        onCommand={runCommand}
        onEscape={() => session.interrupt()}
        history={history.all()}
        files={files}
        skills={snapshot.skills}
        imageOf={(chunk) => pastedImagePath(chunk, cwd)}
        plain={plain}
        active={!approval && !question && !picker}
        placeholder={transcript.turn ? 'the agent is working; type your next message' : 'ask for a change, @ for files, $ for skills, / for commands'}
      />
      <StatusBar view={view} turn={transcript.turn} contextLeft={contextLeftPercent(transcript.usage)} hint={hint} />
    </Box>
  );
}
