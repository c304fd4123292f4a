/** A model that answers with an HTTP error: the SDK sees turn.failed, and run() throws its message. */
import { describe, expect, it } from 'vitest';
import { sdkScene, streamAll } from './sdk.harness.js';

describe.concurrent('the Codex SDK drives statecraft exec: model errors', () => {
  it('HTTP 400: turn.failed carries the provider message, and run() throws it', async ({ onTestFinished }) => {
    const s = await sdkScene(
      { turns: [{ error: { status: 400, message: 'unknown parameter: frobnicate' } }, { error: { status: 400, message: 'unknown parameter: frobnicate' } }] },
      onTestFinished,
    );
    const codex = s.codex();
    const options = { workingDirectory: s.ws, skipGitRepoCheck: true };
    const { events, error } = await streamAll((await codex.startThread(options).runStreamed('go')).events);
    // Codex passes on the raw body ({"error":{...}}); statecraft says what failed, the status and the provider's message.
    const message = 'the model request failed (HTTP 400 Bad Request): unknown parameter: frobnicate';
    expect(events.slice(2)).toEqual([
      { type: 'error', message },
      { type: 'turn.failed', error: { message } },
    ]);
    // The stream then ends with the CLI's failure, as it does with Codex.
    expect(error?.message).toMatch(/^Codex Exec exited with code 1: [\s\S]*unknown parameter: frobnicate/);
    await expect(codex.startThread(options).run('go')).rejects.toThrow(/unknown parameter: frobnicate/);
    // A client error is not retried.
    expect(s.requests()).toHaveLength(2);
  });

  it('HTTP 500: retried as configured, then turn.failed with the provider message', async ({ onTestFinished }) => {
    const s = await sdkScene(
      { turns: [{ error: { status: 500, message: 'upstream exploded' } }, { error: { status: 500, message: 'upstream exploded' } }] },
      onTestFinished,
    );
    const turn = s.codex().startThread({ workingDirectory: s.ws, skipGitRepoCheck: true }).run('go');
    // Codex says only that it is "experiencing high demand"; statecraft keeps the status and the provider's words.
    await expect(turn).rejects.toThrow('server error (HTTP 500 Internal Server Error): upstream exploded (gave up after 1 retry)');
    // The scene's provider allows one retry.
    expect(s.requests()).toHaveLength(2);
  });
});
