import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CommandExecutionRequestApprovalResult,
  FileChangeRequestApprovalResult,
  InitializeParams,
  JsonRpcErrorCode,
  JsonRpcMessage,
  ModelListParams,
  ServerNotification,
  ThreadCompactStartParams,
  ThreadResumeParams,
  ThreadStartParams,
  TurnInterruptParams,
  TurnStartParams,
  invalidParamsError,
  messageKind,
} from '../../../protocol/appServer/index.js';

/** The dotted paths of every issue a failed parse reports. */
const issuePaths = (schema: z.ZodType, value: unknown): string[] => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be rejected');
  return result.error.issues.map((issue) => issue.path.join('.'));
};

describe('params validation', () => {
  it('names a missing or wrong field', () => {
    expect(issuePaths(TurnStartParams, { input: [{ type: 'text', text: 'hi' }] })).toEqual(['threadId']);
    expect(issuePaths(TurnStartParams, { threadId: 't', input: [] })).toEqual(['input']);
    expect(issuePaths(TurnStartParams, { threadId: 't', input: [{ type: 'text' }] })).toEqual(['input.0.text']);
    expect(issuePaths(TurnStartParams, { threadId: 't', input: [{ type: 'video' }] })).toEqual(['input.0.type']);
    expect(issuePaths(ThreadStartParams, { sandbox: 'readOnly' })).toEqual(['sandbox']);
    expect(issuePaths(ThreadStartParams, { approvalPolicy: 'sometimes' })).toEqual(['approvalPolicy']);
    expect(issuePaths(ThreadResumeParams, {})).toEqual(['threadId']);
    expect(issuePaths(TurnInterruptParams, { threadId: 't' })).toEqual(['turnId']);
    expect(issuePaths(ThreadCompactStartParams, { threadId: '' })).toEqual(['threadId']);
    expect(issuePaths(InitializeParams, { clientInfo: { name: 'x' } })).toEqual(['clientInfo.version']);
    expect(issuePaths(ModelListParams, { limit: 0 })).toEqual(['limit']);
    expect(issuePaths(TurnStartParams, { threadId: 't', input: [{ type: 'text', text: 'a' }], effort: 'huge' })).toEqual(['effort']);
  });

  it('drops unknown keys and takes null for an unset optional field', () => {
    expect(ThreadStartParams.parse({ experimentalRawEvents: true, model: null, cwd: '/w' })).toEqual({
      model: null,
      cwd: '/w',
    });
    const turn = TurnStartParams.parse({
      threadId: 't',
      input: [{ type: 'text', text: 'hi' }],
      sandboxPolicy: { type: 'workspaceWrite' },
      approvalPolicy: null,
      effort: null,
    });
    expect(turn.input).toEqual([{ type: 'text', text: 'hi', text_elements: [] }]);
    expect(turn.sandboxPolicy).toEqual({
      type: 'workspaceWrite',
      writableRoots: [],
      networkAccess: false,
      excludeTmpdirEnvVar: false,
      excludeSlashTmp: false,
    });
  });

  it('reads the approval answers clients send', () => {
    expect(CommandExecutionRequestApprovalResult.parse({ decision: 'accept' }).decision).toBe('accept');
    const amended = { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['git', 'status'] } } };
    expect(CommandExecutionRequestApprovalResult.parse(amended)).toEqual(amended);
    expect(issuePaths(CommandExecutionRequestApprovalResult, { decision: 'maybe' })).toEqual(['decision']);
    expect(issuePaths(FileChangeRequestApprovalResult, amended)).toEqual(['decision']);
  });

  it('requires emittedAtMs on a server notification', () => {
    const diff = { method: 'turn/diff/updated', params: { threadId: 't', turnId: 'u', diff: '' } };
    expect(ServerNotification.safeParse({ ...diff, emittedAtMs: 5 }).success).toBe(true);
    expect(issuePaths(ServerNotification, diff)).toEqual(['emittedAtMs']);
  });
});

describe('JSON-RPC framing', () => {
  it('tells the four message shapes apart', () => {
    const kind = (raw: unknown) => messageKind(JsonRpcMessage.parse(raw));
    expect(kind({ id: 1, method: 'thread/start', params: {} })).toBe('request');
    expect(kind({ jsonrpc: '2.0', id: 'a', method: 'model/list' })).toBe('request');
    expect(kind({ method: 'initialized' })).toBe('notification');
    expect(kind({ id: 1, result: {} })).toBe('response');
    expect(kind({ id: null, error: { code: JsonRpcErrorCode.ParseError, message: 'bad json' } })).toBe('errorResponse');
    expect(JsonRpcMessage.safeParse({ id: 1 }).success).toBe(false);
    expect(JsonRpcMessage.safeParse({ jsonrpc: '1.0', method: 'x' }).success).toBe(false);
  });

  it('has the standard error codes', () => {
    expect(JsonRpcErrorCode).toEqual({
      ParseError: -32700,
      InvalidRequest: -32600,
      MethodNotFound: -32601,
      InvalidParams: -32602,
      InternalError: -32603,
    });
  });
});

describe('invalidParamsError', () => {
  it('says which field failed and why', () => {
    const result = TurnStartParams.safeParse({ threadId: 't', input: [{ type: 'text' }] });
    if (result.success) throw new Error('expected failure');
    const error = invalidParamsError('turn/start', result.error);
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/^Invalid params for turn\/start: input\[0\]\.text: /);
    expect(error.data).toEqual({ issues: [expect.objectContaining({ path: 'input[0].text' })] });
  });
});
