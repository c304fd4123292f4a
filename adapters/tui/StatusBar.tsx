import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { SessionView } from './session.js';
import type { RunningTurn } from './transcript.state.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** One line: model and effort, sandbox and approvals, context left, and a spinner with the elapsed time while a turn runs. */
export function StatusBar({ view, turn, contextLeft, hint }: { view: SessionView | null; turn: RunningTurn | null; contextLeft: number | null; hint: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!turn) return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [turn]);
  const parts = view
    ? [
        `${view.model}${view.effort ? ` ${view.effort}` : ''}`,
        `sandbox ${view.sandbox}`,
        `approval ${view.approval}`,
        contextLeft === null ? null : `${contextLeft}% context left`,
      ]
    : ['starting…'];
  const elapsed = turn ? Math.max(0, Math.floor((now - turn.startedAtMs) / 1000)) : 0;
  return (
    <Text wrap="truncate-end">
      {hint && <Text color="yellow">{hint} · </Text>}
      {turn && (
        <Text color="cyan">
          {SPINNER[Math.floor(now / 100) % SPINNER.length]} working {elapsed}s (Esc to interrupt) ·{' '}
        </Text>
      )}
      <Text dimColor>{parts.filter(Boolean).join(' · ')}</Text>
    </Text>
  );
}
