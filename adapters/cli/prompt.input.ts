import { text } from 'node:stream/consumers';

/**
 * The prompt of `exec`: the argument, or standard input when the argument is `-` or
 * absent and stdin is not a terminal. A prompt given as an argument never waits on stdin.
 */
export async function readPrompt(argument: string | undefined, stdin: NodeJS.ReadStream): Promise<string> {
  if (argument !== undefined && argument !== '-') return argument;
  if (argument === undefined && stdin.isTTY) {
    throw new Error('no prompt: pass it as an argument, or pipe it on standard input (use - to read it from stdin)');
  }
  const piped = (await text(stdin)).trim();
  if (!piped) throw new Error('no prompt: standard input was empty');
  return piped;
}
