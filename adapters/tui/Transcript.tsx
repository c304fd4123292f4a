import { Box, Static, Text } from 'ink';
import { renderMarkdown } from './markdown.js';
import { displayCommand, type Entry } from './transcript.state.js';

/** The columns a line is counted as filling before it wraps: word wrap leaves lines short. */
const usableColumns = (columns: number) => Math.max(10, columns - 8);

/**
 * The end of an answer still streaming, enough to fill `lines` rows of `width` columns: whole
 * lines where it can, and a code fence opened again when the cut falls inside one. Each frame
 * renders this much, not the whole answer, so a long answer costs no more per frame than a short one.
 */
export function streamingTail(text: string, width: number, lines: number): string {
  const budget = usableColumns(width) * lines;
  if (text.length <= budget) return text;
  let start = text.length - budget;
  const nextLine = text.indexOf('\n', start);
  if (nextLine >= 0 && nextLine < text.length - 1) start = nextLine + 1;
  const fences = text.slice(0, start).match(/^ {0,3}(```|~~~)/gm)?.length ?? 0;
  return `${fences % 2 === 1 ? '```\n' : ''}${text.slice(start)}`;
}

// eslint-disable-next-line no-control-regex -- SGR sequences start with ESC
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * The last lines of rendered text that take at most `rows` rows once wrapped at `columns`,
 * counted generously so the frame never grows past the screen (Ink does the wrapping).
 */
function lastRows(rendered: string, columns: number, rows: number): string {
  const lines = rendered.split('\n');
  const usable = usableColumns(columns);
  let taken = 0;
  let first = lines.length;
  while (first > 0) {
    const needed = Math.max(1, Math.ceil(lines[first - 1]!.replace(SGR, '').length / usable));
    if (taken + needed > rows) break;
    taken += needed;
    first--;
  }
  return lines.slice(Math.min(first, lines.length - 1)).join('\n');
}

/** Lines of command output shown before the rest is folded away. */
const OUTPUT_LINES = 12;

function DiffLines({ diff }: { diff: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  return (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        <Text
          key={index}
          color={line.startsWith('+') && !line.startsWith('+++') ? 'green' : line.startsWith('-') && !line.startsWith('---') ? 'red' : undefined}
          dimColor={line.startsWith('@@') || line.startsWith('diff ') || line.startsWith('index ')}
        >
          {line || ' '}
        </Text>
      ))}
    </Box>
  );
}

/** The last lines of a long output, with a note of how many were folded away. */
function foldOutput(output: string, expanded: boolean): { shown: string; hidden: number } {
  const lines = output.replace(/\n$/, '').split('\n');
  if (expanded || lines.length <= OUTPUT_LINES) return { shown: lines.join('\n'), hidden: 0 };
  return { shown: lines.slice(-OUTPUT_LINES).join('\n'), hidden: lines.length - OUTPUT_LINES };
}

const seconds = (ms: number | null) => (ms === null ? '' : ` · ${(ms / 1000).toFixed(1)}s`);

function CommandView({ entry, expanded }: { entry: Extract<Entry, { kind: 'command' }>; expanded: boolean }) {
  const { shown, hidden } = foldOutput(entry.output, expanded || entry.expanded === true);
  const status =
    entry.status === 'inProgress' ? (
      <Text color="yellow">running…</Text>
    ) : entry.status === 'completed' && entry.exitCode === 0 ? (
      <Text color="green">✓ exit 0{seconds(entry.durationMs)}</Text>
    ) : entry.status === 'declined' ? (
      <Text color="yellow">✗ declined</Text>
    ) : (
      <Text color="red">
        ✗ {entry.exitCode !== null ? `exit ${entry.exitCode}` : 'failed'}
        {seconds(entry.durationMs)}
      </Text>
    );
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">
          $ {displayCommand(entry.command)}
        </Text>
        <Text dimColor> in {entry.cwd}</Text>
      </Text>
      {hidden > 0 && <Text dimColor> … {hidden} earlier lines folded (Ctrl+O shows the whole output)</Text>}
      {shown !== '' && (
        <Box paddingLeft={2}>
          <Text dimColor>{shown}</Text>
        </Box>
      )}
      <Box paddingLeft={2}>{status}</Box>
    </Box>
  );
}

/** One block of the transcript. */
function EntryView({ entry, width, expanded = false, tailLines }: { entry: Entry; width: number; expanded?: boolean; tailLines?: number }) {
  switch (entry.kind) {
    case 'user':
      return (
        <Text bold color="cyan">
          › {entry.text}
        </Text>
      );
    case 'agent': {
      const columns = Math.max(20, width - 2);
      if (tailLines === undefined) return <Text>{renderMarkdown(entry.text, columns)}</Text>;
      // While it streams, only the end fits the frame; the whole answer is printed once it is done.
      return <Text>{lastRows(renderMarkdown(streamingTail(entry.text, columns, tailLines), columns), columns, tailLines)}</Text>;
    }
    case 'reasoning': {
      const { shown, hidden } = foldOutput(entry.text, expanded || entry.expanded === true);
      return (
        <Text dimColor italic>
          {shown ? `thinking: ${shown}` : 'thinking…'}
          {hidden > 0 ? `\n… ${hidden} more lines (Ctrl+O shows all)` : ''}
        </Text>
      );
    }
    case 'command':
      return <CommandView entry={entry} expanded={expanded} />;
    case 'patch':
      return (
        <Box flexDirection="column">
          {entry.changes.map((change) => (
            <Box key={change.path} flexDirection="column">
              <Text bold>
                {change.kind.type} {change.path}
              </Text>
              <DiffLines diff={change.diff} />
            </Box>
          ))}
          <Text color={entry.status === 'completed' ? 'green' : entry.status === 'inProgress' ? 'yellow' : 'red'}>
            {entry.status === 'completed' ? '✓ patch applied' : entry.status === 'inProgress' ? 'applying…' : `✗ patch ${entry.status}`}
          </Text>
        </Box>
      );
    case 'plan':
      return (
        <Box flexDirection="column">
          <Text bold>Plan{entry.explanation ? `: ${entry.explanation}` : ''}</Text>
          {entry.steps.map((step, index) => (
            <Text key={index} color={step.status === 'completed' ? 'green' : step.status === 'inProgress' ? 'yellow' : undefined}>
              {step.status === 'completed' ? '  [x] ' : step.status === 'inProgress' ? '  [>] ' : '  [ ] '}
              {step.step}
            </Text>
          ))}
        </Box>
      );
    case 'diff':
      return <DiffLines diff={entry.diff} />;
    case 'compaction':
      return (
        <Text color={entry.done ? 'green' : 'yellow'}>
          {entry.done ? '✓ context compacted: the conversation so far is now a summary' : 'compacting the conversation…'}
        </Text>
      );
    case 'notice':
      return <Text color={entry.tone === 'error' ? 'red' : entry.tone === 'warning' ? 'yellow' : 'gray'}>{entry.text}</Text>;
  }
}

/**
 * Finished entries are printed once into the scrollback (Ink's Static), so a long session does
 * not redraw; only the entries still changing are part of each frame.
 */
export function Transcript({ generation, done, live, width, rows }: { generation: string; done: Entry[]; live: Entry[]; width: number; rows: number }) {
  return (
    <>
      {/* A new or resumed thread, or a redraw after a resize, starts a new Static, which prints the whole history once. */}
      <Static key={generation} items={done}>
        {(entry) => (
          <Box key={entry.id} marginBottom={1} width={width}>
            <EntryView entry={entry} width={width} />
          </Box>
        )}
      </Static>
      {live.map((entry) => (
        <Box key={entry.id} marginBottom={1} width={width}>
          <EntryView entry={entry} width={width} tailLines={Math.max(3, rows - 8)} />
        </Box>
      ))}
    </>
  );
}
