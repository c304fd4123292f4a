/** The `exec --json` lines as the Codex SDK reads them, from protocol events. */
import { describe, expect, it } from 'vitest';
import { ExecJsonTranslator } from '../../../adapters/cli/jsonl.renderer.js';
import { ExecJsonEvent, type CommandExecutionItem, type FileChangeItem, type ProtocolEvent, type ThreadItem } from '../../../protocol/index.js';

const ids = { threadId: 'th', turnId: 'tu' };
const command = (id: string, status: CommandExecutionItem['status']): CommandExecutionItem => ({
  type: 'commandExecution',
  id,
  pluginId: null,
  scriptPath: null,
  command: 'touch /etc/x',
  cwd: '/ws',
  processId: null,
  source: 'unifiedExecStartup',
  status,
  commandActions: [],
  aggregatedOutput: null,
  exitCode: null,
  durationMs: null,
  startedAtMs: 1,
  completedAtMs: status === 'inProgress' ? null : 2,
});
const started = (item: ThreadItem): ProtocolEvent => ({ method: 'item/started', params: { item, ...ids, startedAtMs: 1 } });
const completed = (item: ThreadItem): ProtocolEvent => ({ method: 'item/completed', params: { item, ...ids, contentTokenCount: null, completedAtMs: 2 } });
const breakdown = (input: number) => ({
  totalTokens: input + 5,
  inputTokens: input,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: 5,
  reasoningOutputTokens: 0,
});
const turnCompleted: ProtocolEvent = {
  method: 'turn/completed',
  params: {
    threadId: 'th',
    turn: { id: 'tu', rootTurnId: 'tu', items: [], itemsView: 'summary', status: 'completed', error: null, startedAt: 1, completedAt: 2, durationMs: 1 },
  },
};

/** Everything a sequence of events prints, each burst released as the renderer releases it. */
function print(bursts: ProtocolEvent[][]): ExecJsonEvent[] {
  const translator = new ExecJsonTranslator();
  return bursts
    .flatMap((burst) => [...burst.flatMap((event) => translator.translate(event)), ...translator.release()])
    .map((line) => ExecJsonEvent.parse(line));
}

describe('exec --json lines for the Codex SDK', () => {
  it('prints nothing for a command declined as it starts, and numbers the next item as if it never was', () => {
    const lines = print([
      [started(command('c1', 'inProgress')), completed(command('c1', 'declined'))],
      [
        completed({
          type: 'agentMessage',
          id: 'm',
          text: 'ok',
          moderation: null,
          phase: null,
          memoryCitation: null,
          delivery: null,
          questions: null,
          startedAtMs: 1,
          completedAtMs: 2,
        }),
      ],
    ]);
    expect(lines).toEqual([{ type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'ok' } }]);
  });

  it('prints a start held until its burst is over, and a command declined after it showed as failed', () => {
    const lines = print([[started(command('c1', 'inProgress'))], [completed(command('c1', 'declined'))]]);
    expect(lines.map((line) => [line.type, 'item' in line ? line.item : null])).toEqual([
      ['item.started', expect.objectContaining({ id: 'item_0', type: 'command_execution', status: 'in_progress' })],
      ['item.completed', expect.objectContaining({ id: 'item_0', type: 'command_execution', status: 'failed' })],
    ]);
  });

  it('prints a held start before anything that follows it in the same burst', () => {
    const translator = new ExecJsonTranslator();
    expect(translator.translate(started(command('c1', 'inProgress')))).toEqual([]);
    expect(translator.holding).toBe(true);
    expect(
      translator
        .translate({ method: 'turn/plan/updated', params: { ...ids, explanation: null, plan: [{ step: 'a', status: 'pending' }] } })
        .map((line) => line.type),
    ).toEqual(['item.started', 'item.started']);
    expect(translator.holding).toBe(false);
  });

  it('sorts a patch’s changes by path', () => {
    const patch = (status: FileChangeItem['status']): FileChangeItem => ({
      type: 'fileChange',
      id: 'p',
      status,
      startedAtMs: 1,
      completedAtMs: null,
      changes: ['/ws/zeta', '/ws/alpha', '/ws/mid'].map((path) => ({ path, kind: { type: 'add' as const }, diff: '' })),
    });
    const lines = print([[started(patch('inProgress'))], [completed(patch('completed'))]]);
    for (const line of lines)
      expect('item' in line && line.item.type === 'file_change' && line.item.changes.map((change) => change.path)).toEqual([
        '/ws/alpha',
        '/ws/mid',
        '/ws/zeta',
      ]);
  });

  it('reports a warning as an error item, and the thread’s usage so far at the turn’s end', () => {
    const usage = (input: number): ProtocolEvent => ({
      method: 'thread/tokenUsage/updated',
      params: { ...ids, tokenUsage: { total: breakdown(input), last: breakdown(10), modelContextWindow: null } },
    });
    const lines = print([
      [
        { method: 'thread/status/changed', params: { threadId: 'th', status: { type: 'idle' } } },
        usage(20),
        { method: 'warning', params: { threadId: 'th', message: 'model switched' } },
        usage(30),
        turnCompleted,
      ],
    ]);
    expect(lines).toEqual([
      { type: 'thread.started', thread_id: 'th' },
      { type: 'item.completed', item: { id: 'item_0', type: 'error', message: 'model switched' } },
      {
        type: 'turn.completed',
        usage: { input_tokens: 30, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0 },
      },
    ]);
  });
});
