import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';

/**
 * The prompt of `exec`: the argument, or standard input when the argument is `-` or
 * absent and stdin is not a terminal. A prompt given as an argument never waits on stdin.
 * Piped text is taken as written, surrounding whitespace included, as Codex takes it.
 */
export async function readPrompt(argument: string | undefined, stdin: NodeJS.ReadStream): Promise<string> {
  if (argument !== undefined && argument !== '-') return argument;
  if (argument === undefined && stdin.isTTY) {
    throw new Error('no prompt: pass it as an argument, or pipe it on standard input (use - to read it from stdin)');
  }
  const piped = await text(stdin);
  if (piped.trim() === '') throw new Error('no prompt: standard input was empty');
  return piped;
}

/** The JSON Schema of `--output-schema FILE`, which the model's final answer must follow. */
export async function readOutputSchema(path: string): Promise<Record<string, unknown>> {
  const fail = (why: string): never => {
    throw new Error(`--output-schema ${path}: ${why}`);
  };
  let source = '';
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    fail(`cannot read the file (${(error as Error).message})`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(source);
  } catch (error) {
    fail(`not valid JSON (${(error as Error).message}); write the schema as a JSON object such as {"type": "object", "properties": {...}}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    fail(
      `the schema must be a JSON object such as {"type": "object", "properties": {...}}, found ${Array.isArray(schema) ? 'an array' : JSON.stringify(schema)}`,
    );
  }
  return schema as Record<string, unknown>;
}
