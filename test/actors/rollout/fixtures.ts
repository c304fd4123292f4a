import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ProtocolEvent, ResponseItem, Thread, ThreadItem, TokenUsageBreakdown, Turn } from '../../../protocol/index.js';

import { threadFixture } from '../../machines/fixtures.js';

/** A fresh temp home for each test of the file, handed to `use`, removed after the test. */
export function eachTestHome(use: (home: string) => void): void {
  let home = '';
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'rollout-test-'));
    use(home);
  });
  afterEach(() => rm(home, { recursive: true, force: true }));
}

export function makeThread(id: string, createdAtMs: number, extra: Partial<Thread> = {}): Thread {
  const createdAt = Math.floor(createdAtMs / 1000);
  return threadFixture({
    id,
    sessionId: id,
    ephemeral: false,
    modelProvider: 'mock',
    model: 'gpt-test',
    reasoningEffort: null,
    createdAt,
    updatedAt: createdAt,
    cwd: '/work/ws',
    source: 'vscode',
    ...extra,
  });
}

function turnOf(id: string, status: Turn['status'], startedAt: number, completedAt: number | null = null): Turn {
  return {
    id,
    rootTurnId: id,
    items: [],
    itemsView: 'full',
    status,
    error: null,
    startedAt,
    completedAt,
    durationMs: completedAt === null ? null : (completedAt - startedAt) * 1000,
  };
}

function userMessage(id: string, text: string, at: number): ThreadItem {
  return {
    type: 'userMessage',
    id,
    clientId: null,
    content: [{ type: 'text', text, text_elements: [] }],
    startedAtMs: at,
    completedAtMs: at,
  };
}

function agentMessage(id: string, text: string, startedAtMs: number, completedAtMs: number | null): ThreadItem {
  return {
    type: 'agentMessage',
    moderation: null,
    id,
    text,
    phase: null,
    memoryCitation: null,
    delivery: null,
    questions: null,
    startedAtMs,
    completedAtMs,
  };
}

export function usage(total: number): TokenUsageBreakdown {
  return {
    totalTokens: total,
    inputTokens: total - 10,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    outputTokens: 10,
    reasoningOutputTokens: 0,
  };
}

/** The events a session emits for one plain question/answer turn, deltas included. */
export function turnEvents(threadId: string, turnId: string, question: string, answer: string, startedAtS: number): ProtocolEvent[] {
  const ms = startedAtS * 1000;
  const user = userMessage(`${turnId}-user`, question, ms);
  const agentId = `${turnId}-msg`;
  const half = Math.ceil(answer.length / 2);
  return [
    { method: 'thread/status/changed', params: { threadId, status: { type: 'active', activeFlags: [] } } },
    { method: 'turn/started', params: { threadId, turn: turnOf(turnId, 'inProgress', startedAtS) } },
    { method: 'item/started', params: { threadId, turnId, item: user, startedAtMs: ms } },
    { method: 'item/completed', params: { threadId, turnId, item: user, contentTokenCount: null, completedAtMs: ms } },
    {
      method: 'item/started',
      params: { threadId, turnId, item: agentMessage(agentId, '', ms + 100, null), startedAtMs: ms + 100 },
    },
    { method: 'item/agentMessage/delta', params: { threadId, turnId, itemId: agentId, delta: answer.slice(0, half) } },
    { method: 'item/agentMessage/delta', params: { threadId, turnId, itemId: agentId, delta: answer.slice(half) } },
    {
      method: 'item/completed',
      params: {
        threadId,
        turnId,
        item: agentMessage(agentId, answer, ms + 100, ms + 900),
        contentTokenCount: null,
        completedAtMs: ms + 900,
      },
    },
    {
      method: 'thread/tokenUsage/updated',
      params: {
        threadId,
        turnId,
        tokenUsage: { total: usage(100), last: usage(100), modelContextWindow: null },
      },
    },
    { method: 'thread/status/changed', params: { threadId, status: { type: 'idle' } } },
    {
      method: 'turn/completed',
      params: { threadId, turn: { ...turnOf(turnId, 'completed', startedAtS, startedAtS + 1), items: [user] } },
    },
  ];
}

/** What the model conversation of such a turn looks like (with a reasoning item). */
export function turnHistory(question: string, answer: string): ResponseItem[] {
  return [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: question }] },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque==' },
    { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: answer }] },
  ];
}
