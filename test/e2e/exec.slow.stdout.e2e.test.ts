/**
 * `statecraft exec` writing to a pipe that stops being read while a command prints
 * hundreds of MB: nothing piles up in the process; the reader later gets the start of the
 * output, a marker, its end, and the rest of the transcript.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../actors/exec/helpers.js';
import { peakRssKb } from '../support/processes.js';
import { execCli, scene, type Scene } from './cli.harness.js';

let current: Scene | null = null;
afterEach(async () => {
  await current?.cleanup();
  current = null;
});

const TOTAL = 200_000_000;
const LINE = 'a line of command output, as long as one in a build log';
/** What the command prints last: `head` cuts the last line short. */
const ENDING = `${LINE}\n${LINE.slice(0, TOTAL % (LINE.length + 1))}\nthe-very-end\n`;

describe('statecraft exec: a slow reader of the transcript', () => {
  it('keeps memory flat and prints start, marker, end and the rest of the turn in order', { timeout: 180_000 }, async () => {
    const s = (current = await scene({
      turns: [
        [{ call: 'exec_command', args: { cmd: `yes '${LINE}' | head -c ${TOTAL}; echo; echo the-very-end`, yield_time_ms: 30_000 } }],
        [{ text: 'printed it all' }],
      ],
    }));
    const child = execCli(s, ['-s', 'danger-full-access', 'print a lot'], { buffer: false, timeout: 170_000 });
    child.stdout!.pause();
    // The second model request means the command ended and its output went through statecraft.
    expect(await waitUntil(() => s.server.requests.length >= 2, 120_000)).toBe(true);
    let peakKb = peakRssKb(child.pid!) ?? 0;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, peakRssKb(child.pid!) ?? 0)), 50);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout!.resume();
    const result = await child;
    clearInterval(sampler);
    expect(result.exitCode).toBe(0);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(300 * 1024);

    const transcript = Buffer.concat(chunks).toString('utf8');
    expect(transcript.length).toBeLessThan(64 * 1024 * 1024);
    const at = (needle: string | RegExp) => (typeof needle === 'string' ? transcript.indexOf(needle) : transcript.search(needle));
    const marker = at(/\[… \d+ characters of output omitted: the client was reading too slowly …\]/);
    expect(at(`head -c ${TOTAL}`)).toBeGreaterThanOrEqual(0);
    expect(at(`${LINE}\n${LINE}\n`)).toBeGreaterThan(at(`head -c ${TOTAL}`));
    expect(marker).toBeGreaterThan(at(`${LINE}\n${LINE}\n`));
    expect(at(ENDING)).toBeGreaterThan(marker);
    expect(at('✓ exit 0')).toBeGreaterThan(at('the-very-end'));
    expect(at('printed it all')).toBeGreaterThan(at('✓ exit 0'));
  });
});
