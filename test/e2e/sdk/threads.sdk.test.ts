/** Threads that go on: a second run() on the same Thread, and resumeThread(id) with other options. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itemsOf, sdkScene, userParts } from './sdk.harness.js';

const texts = (request: any): string[] => userParts(request).flatMap((part: any) => (part.type === 'input_text' ? [part.text] : []));
const answers = (request: any): string[] =>
  (request.input as any[]).filter((item) => item.type === 'message' && item.role === 'assistant').map((item) => item.content[0].text);

describe.concurrent('the Codex SDK drives statecraft exec: threads', () => {
  it('a second run() continues the thread, and resumeThread(id) continues it with other options', async ({ onTestFinished }) => {
    const s = await sdkScene(
      {
        turns: [[{ text: 'First.' }], [{ text: 'Second.' }], [{ call: 'exec_command', args: { cmd: 'touch written-in-read-only.txt' } }], [{ text: 'Third.' }]],
      },
      onTestFinished,
    );
    const codex = s.codex();
    const thread = codex.startThread({ workingDirectory: s.ws, skipGitRepoCheck: true, model: 'gpt-5.1-codex' });
    const first = await thread.run('remember the word teapot');
    const second = await thread.run('and the word kettle');
    expect(second.finalResponse).toBe('Second.');
    expect(texts(s.requests()[1])).toEqual(expect.arrayContaining(['remember the word teapot', 'and the word kettle']));
    expect(answers(s.requests()[1])).toEqual(['First.']);
    // turn.completed counts the thread's usage so far, as Codex does: both requests on the second run.
    expect(first.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
    expect(second.usage).toMatchObject({ input_tokens: 20, output_tokens: 10 });

    // The SDK puts every option before `resume ID`: the model, the sandbox and the directory all apply.
    const resumed = codex.resumeThread(thread.id!, { workingDirectory: s.ws, skipGitRepoCheck: true, model: 'gpt-5.1-codex-mini', sandboxMode: 'read-only' });
    const third = await resumed.run('one more');
    expect(resumed.id).toBe(thread.id);
    expect(third.items[0]).toEqual({
      id: 'item_0',
      type: 'error',
      message:
        'This session was recorded with model `gpt-5.1-codex` but is resuming with `gpt-5.1-codex-mini`. Consider switching back to `gpt-5.1-codex` as it may affect performance.',
    });
    expect(itemsOf(third.items, 'command_execution')).toEqual([
      expect.objectContaining({ status: 'failed', aggregated_output: expect.stringContaining('Read-only file system') }),
    ]);
    await expect(readFile(join(s.ws, 'written-in-read-only.txt'))).rejects.toThrow();
    expect(third.finalResponse).toBe('Third.');
    expect(third.usage).toMatchObject({ input_tokens: 40, output_tokens: 20 });
    const request = s.requests()[2];
    expect(request.model).toBe('gpt-5.1-codex-mini');
    expect(texts(request)).toEqual(expect.arrayContaining(['remember the word teapot', 'and the word kettle', 'one more']));
    expect(answers(request)).toEqual(['First.', 'Second.']);
  });

  it('a thread id nobody recorded fails the run with a message that says so', async ({ onTestFinished }) => {
    const s = await sdkScene({ turns: [] }, onTestFinished);
    const missing = '0b7a4f3e-5c1d-4e2f-9a8b-7c6d5e4f3a2b';
    await expect(s.codex().resumeThread(missing, { workingDirectory: s.ws, skipGitRepoCheck: true }).run('hello?')).rejects.toThrow(
      new RegExp(`no thread with id ${missing}`),
    );
    expect(s.requests()).toEqual([]);
  });
});
