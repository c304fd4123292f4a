import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonRpcMessage, messageKind } from '../../../protocol/appServer/index.js';
import { readTranscript, subsetMessages, transcriptFiles } from './transcripts.fixture.js';

const files = transcriptFiles();

describe('reference transcripts parse with the app-server schemas', () => {
  it('has the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)('%s: every line is a JSON-RPC message', (file) => {
    for (const { msg, line } of readTranscript(file)) {
      const parsed = JsonRpcMessage.safeParse(msg);
      expect(parsed.success, `${file}:${line}`).toBe(true);
      if (parsed.success) expect(['request', 'notification', 'response', 'errorResponse']).toContain(messageKind(parsed.data));
    }
  });

  it.each(files)('%s: every message of our subset parses', (file) => {
    const checked = subsetMessages(readTranscript(file));
    expect(checked.length).toBeGreaterThan(0);
    const failures = checked.flatMap(({ where, method, schema, value }) => {
      const result = schema.safeParse(value);
      return result.success ? [] : [`${where} ${method}\n${z.prettifyError(result.error)}`];
    });
    expect(failures).toEqual([]);
  });

  it('covers every method the transcripts use from our subset', () => {
    const seen = new Set(files.flatMap((f) => subsetMessages(readTranscript(f)).map((c) => c.name)));
    for (const name of [
      'InitializeParams',
      'InitializeResult',
      'InitializedNotification',
      'ThreadStartParams',
      'ThreadStartResult',
      'ThreadResumeParams',
      'ThreadResumeResult',
      'ThreadListParams',
      'ThreadListResult',
      'ThreadReadParams',
      'ThreadReadResult',
      'TurnStartParams',
      'TurnStartResult',
      'ModelListParams',
      'ModelListResult',
      'CommandExecutionRequestApprovalParams',
      'CommandExecutionRequestApprovalResult',
      'FileChangeRequestApprovalParams',
      'FileChangeRequestApprovalResult',
      'ServerRequestResolvedNotification',
      'ThreadStartedNotification',
      'ThreadStatusChangedNotification',
      'TurnStartedNotification',
      'TurnCompletedNotification',
      'ItemStartedNotification',
      'ItemCompletedNotification',
      'ItemAgentMessageDeltaNotification',
      'ItemCommandExecutionOutputDeltaNotification',
      'ItemReasoningSummaryPartAddedNotification',
      'ItemReasoningSummaryTextDeltaNotification',
      'TurnPlanUpdatedNotification',
      'TurnDiffUpdatedNotification',
      'ThreadTokenUsageUpdatedNotification',
    ]) {
      expect(seen, name).toContain(name);
    }
  });
});
