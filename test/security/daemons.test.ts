/**
 * A command run without the sandbox (danger-full-access, or an approved escalation) that
 * leaves a daemon behind: `setsid` and a double fork take it out of the command's process
 * group and session. Whatever it started must be gone when the turn ends, when the turn is
 * interrupted, and when the server exits.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livePidsMatching } from '../support/processes.js';
import { scenes, sleep, text, within } from '../e2e/appServer/client.js';

const scene = scenes();

/** Starts `sleep <marker>` as a daemon: a new session, its parent gone at once, stdio detached. */
const daemon = (marker: string) => `(setsid sh -c 'sleep ${marker}' </dev/null >/dev/null 2>&1 &) ; touch daemon-started`;

async function waitForFile(path: string) {
  const deadline = Date.now() + 10_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await sleep(50);
  }
}

async function gone(marker: string): Promise<number[]> {
  const until = Date.now() + 5_000;
  while (livePidsMatching(marker).length > 0 && Date.now() < until) await sleep(50);
  return livePidsMatching(marker);
}

/** A thread under danger-full-access whose first turn runs `cmd`, started. */
async function fullAccessTurn(cmd: string, yieldTimeMs: number | null, prompt: string) {
  const args = { cmd, ...(yieldTimeMs === null ? {} : { yield_time_ms: yieldTimeMs }) };
  const f = await scene.open({ turns: [[{ call: 'exec_command', args }], [{ text: 'done' }]] });
  const c = scene.connect(f);
  await c.init();
  const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'danger-full-access' });
  const { turn } = await c.call('turn/start', { threadId: thread.id, input: text(prompt) });
  const completed = () => c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id);
  return { f, c, thread, turn, completed };
}

describe('processes started without the sandbox do not outlive their turn', () => {
  it('kills a daemon a finished command left behind when the turn ends', async () => {
    const marker = scene.marker();
    const { f, c, completed } = await fullAccessTurn(daemon(marker), null, 'start a daemon');
    expect((await completed()).params.turn.status).toBe('completed');
    expect(existsSync(join(f.ws, 'daemon-started'))).toBe(true);
    expect(await gone(marker)).toEqual([]);
    expect(await c.close()).toBe(0);
  });

  it('kills it when the turn is interrupted', async () => {
    const marker = scene.marker();
    const { f, c, thread, turn, completed } = await fullAccessTurn(`${daemon(marker)}; sleep ${scene.marker()}`, 30_000, 'start a daemon and wait');
    await waitForFile(join(f.ws, 'daemon-started'));
    // The file is touched as the daemon is forked; its `sleep` may take a moment more to exist.
    await expect.poll(() => livePidsMatching(marker).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await c.call('turn/interrupt', { threadId: thread.id, turnId: turn.id });
    expect((await completed()).params.turn.status).toBe('interrupted');
    expect(await gone(marker)).toEqual([]);
    expect(await c.close()).toBe(0);
  });

  it('kills it when the server exits while the command still runs as a session', async () => {
    const marker = scene.marker();
    const { c, completed } = await fullAccessTurn(`${daemon(marker)}; sleep ${scene.marker()}`, 500, 'start a daemon in a session');
    await completed();
    // The session is meant to live on after the turn, and the daemon with it, until the server goes.
    expect(livePidsMatching(marker).length).toBeGreaterThan(0);
    expect(await within(c.close(), 15_000, 'server exit')).toBe(0);
    expect(await gone(marker)).toEqual([]);
  });
});
