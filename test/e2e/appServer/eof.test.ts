/**
 * Closing stdin while a turn runs a command: the server exits 0 promptly, the command's
 * processes are gone, and the turn is recorded as interrupted.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, livePidsMatching } from '../../support/processes.js';
import { scenes, sleep, text, within } from './client.js';

const scene = scenes();

describe('app-server: EOF during a running turn', () => {
  it('exits 0, kills the command and its background child, records the turn as interrupted', async () => {
    // The sandbox gives the command its own pid namespace, so `$$` is not a host pid: a unique
    // sleep duration lets the test find the host processes by their command line.
    const marker = `30.${Math.floor(Math.random() * 1e6)}`;
    const cmd = `echo $$ > pid; sleep ${marker} & echo $! > child; wait`;
    const f = await scene.open({
      turns: [[{ call: 'exec_command', args: { cmd, yield_time_ms: 30_000 } }], [{ text: 'done' }]],
    });
    const c = scene.connect(f);
    await c.init();
    const started = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'workspace-write' });
    const threadId = started.thread.id;
    const turn = await c.call('turn/start', { threadId, input: text('run something long') });
    await c.waitFor('item/started', (m) => m.params.item.type === 'commandExecution');
    const deadline = Date.now() + 10_000;
    while (!(existsSync(join(f.ws, 'pid')) && existsSync(join(f.ws, 'child')) && (await readFile(join(f.ws, 'child'), 'utf8')).trim() !== '')) {
      if (Date.now() > deadline) throw new Error(`pid files never appeared; stderr:\n${c.stderr()}`);
      await sleep(50);
    }
    const hostPids = livePidsMatching(marker);
    // bash -lc '<cmd>' and `sleep <marker>` at least.
    expect(hostPids.length).toBeGreaterThanOrEqual(2);

    const t0 = Date.now();
    const code = await c.close(8_000);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(6_000);
    for (const pid of hostPids) expect(!alive(pid), `pid ${pid} still alive`).toBe(true);
    expect(livePidsMatching(marker)).toEqual([]);

    // A fresh server on the same home reads the turn back as interrupted.
    const again = scene.connect(f);
    await again.init();
    const read = await again.call('thread/read', { threadId, includeTurns: true });
    const stored = read.thread.turns.find((t: any) => t.id === turn.turn.id);
    expect(stored, JSON.stringify(read.thread.turns)).toBeDefined();
    expect(stored.status).toBe('interrupted');
    expect(await within(again.close(), 10_000, 'second server exit')).toBe(0);
  });

  it('exits 0 at EOF while an approval is pending, and records the turn as interrupted', async () => {
    const f = await scene.open({
      turns: [[{ call: 'exec_command', args: { cmd: 'echo never > never.txt', sandbox_permissions: 'require_escalated', justification: 'x' } }]],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    const { turn } = await c.call('turn/start', { threadId: thread.id, input: text('ask first') });
    await c.waitFor('item/commandExecution/requestApproval');
    const t0 = Date.now();
    expect(await c.close(8_000)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(6_000);
    expect(existsSync(join(f.ws, 'never.txt'))).toBe(false);

    const again = scene.connect(f);
    await again.init();
    const read = await again.call('thread/read', { threadId: thread.id, includeTurns: true });
    expect(read.thread.turns.map((t: any) => [t.id, t.status])).toEqual([[turn.id, 'interrupted']]);
    // The command item that was waiting is closed in the record too, as declined.
    const item = read.thread.turns[0].items.find((i: any) => i.type === 'commandExecution');
    expect(item?.status).toBe('declined');
    expect(await again.close()).toBe(0);
  });
});
