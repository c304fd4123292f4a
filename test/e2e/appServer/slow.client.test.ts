/**
 * A client that stops reading while a command prints hundreds of MB: the server drops the
 * middle of the output it could not deliver (saying so) instead of holding all of it.
 */
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../actors/exec/helpers.js';
import { peakRssKb } from '../../support/processes.js';
import { scenes, text } from './client.js';

const scene = scenes();
const TOTAL = 200_000_000;
const LINE = 'a line of command output, as long as one in a build log';
/** What the command prints last: `head` cuts the last line short. */
const ENDING = `${LINE}\n${LINE.slice(0, TOTAL % (LINE.length + 1))}\nthe-very-end\n`;
const MARKER = /\[… (\d+) characters of output omitted: the client was reading too slowly …\]/g;

describe('app-server: a slow client', () => {
  it('keeps memory flat, then delivers the start, a marker, the end and the completion in order', { timeout: 180_000 }, async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'exec_command', args: { cmd: `yes '${LINE}' | head -c ${TOTAL}; echo; echo the-very-end`, yield_time_ms: 30_000 } }],
        [{ text: 'printed' }],
      ],
    });
    const c = scene.connect(f);
    await c.init();
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    const { turn } = await c.call('turn/start', { threadId: thread.id, input: text('print a lot') });
    // The client stops reading; the server's writes back up once the pipe and our buffer are full.
    c.proc.stdout!.pause();
    // The second model request means the command ended and all its output went through the server.
    expect(await waitUntil(() => f.model.requests.length >= 2, 120_000)).toBe(true);
    c.proc.stdout!.resume();
    const done = await c.waitFor('turn/completed', (m) => m.params.turn.id === turn.id, 60_000);
    expect(done.params.turn.status).toBe('completed');

    const peakKb = peakRssKb(c.proc.pid!);
    expect(peakKb).not.toBeNull();
    expect(peakKb!).toBeLessThan(300 * 1024);

    const started = c.messages.find((m) => m.method === 'item/started' && m.params.item.type === 'commandExecution');
    const itemId = started.params.item.id;
    const deltas = c.messages.filter((m) => m.method === 'item/commandExecution/outputDelta' && m.params.itemId === itemId);
    const completed = c.messages.find((m) => m.method === 'item/completed' && m.params.item.id === itemId);
    const positions = deltas.map((m) => c.messages.indexOf(m));
    expect(Math.min(...positions)).toBeGreaterThan(c.messages.indexOf(started));
    expect(Math.max(...positions)).toBeLessThan(c.messages.indexOf(completed));
    expect(c.messages.indexOf(completed)).toBeLessThan(c.messages.indexOf(done));

    const output = deltas.map((m) => m.params.delta).join('');
    expect(output.startsWith(`${LINE}\n${LINE}\n`)).toBe(true);
    expect(output.endsWith(ENDING)).toBe(true);
    const markers = [...output.matchAll(MARKER)];
    expect(markers.length).toBeGreaterThan(0);
    // What was kept and what the markers say was left out add up to everything printed
    // (give or take the newline each marker stands on).
    const omitted = markers.reduce((sum, m) => sum + Number(m[1]), 0);
    const kept = output.replaceAll(MARKER, '').length;
    const printed = TOTAL + '\nthe-very-end\n'.length;
    expect(Math.abs(kept + omitted - printed)).toBeLessThanOrEqual(2 * markers.length);
    expect(output.length).toBeLessThan(64 * 1024 * 1024);
    // The completed item carries a bounded copy too.
    expect(completed.params.item.aggregatedOutput.length).toBeLessThanOrEqual(1024 * 1024 + 200);
    expect(await c.close()).toBe(0);
  });
});
