import { parseDocument } from 'yaml';

/**
 * YAML text as plain data, or the first line of the first problem the parser found. A module of
 * its own so the parser is loaded (`import()`) only when there is YAML to read.
 */
export function readYaml(text: string): { data: unknown } | { problem: string } {
  const doc = parseDocument(text, { prettyErrors: false });
  const problem = doc.errors[0];
  return problem ? { problem: problem.message.split('\n')[0] ?? problem.message } : { data: doc.toJS() };
}
