import type { z } from 'zod';
import { JsonRpcErrorCode, type JsonRpcErrorObject } from './jsonrpc.schema.js';

/** "input[0].text" style path of an issue; empty for the params object itself. */
const issuePath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = String(key);
    return acc.length === 0 ? name : `${acc}.${name}`;
  }, '');

/** One line per issue, each naming the field and what was wrong with it. */
const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((issue) => {
      const where = issuePath(issue.path);
      return where.length > 0 ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');

/** The -32602 error object for params that failed their schema. */
export const invalidParamsError = (method: string, error: z.ZodError): JsonRpcErrorObject => ({
  code: JsonRpcErrorCode.InvalidParams,
  message: `Invalid params for ${method}: ${describeIssues(error)}`,
  data: { issues: error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message, code: issue.code })) },
});
