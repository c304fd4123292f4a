import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRollout, listRollouts, RolloutRecorder, rolloutPath } from '../../../actors/rollout/index.js';
import { makeThread, eachTestHome, turnEvents } from './fixtures.js';

let home: string;
eachTestHome((dir) => (home = dir));

const DAY = 24 * 3600 * 1000;
const BASE = new Date(2024, 10, 20, 8, 0, 0).getTime();

/** 30 threads: spread over days, months and a year boundary, some sharing a day. */
async function seed(): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const created = BASE + Math.floor(i / 2) * 3 * DAY + (i % 2) * 3600 * 1000;
    const id = `thread-${String(i).padStart(2, '0')}`;
    const rec = await RolloutRecorder.create(rolloutPath(home, created, id), {
      thread: makeThread(id, created),
      overrides: {},
    });
    turnEvents(id, 't1', `question ${i}`, 'answer', Math.floor(created / 1000)).forEach((e) => rec.record(e));
    await rec.close();
    ids.push(id);
  }
  return ids.reverse(); // newest first
}

describe('listRollouts', () => {
  it('pages newest first with an opaque cursor', async () => {
    const expected = await seed();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listRollouts>> = await listRollouts(home, { cursor, limit: 7 });
      expect(page.warnings).toEqual([]);
      expect(page.data.length).toBeLessThanOrEqual(7);
      for (const t of page.data) {
        expect(t.status).toEqual({ type: 'notLoaded' });
        expect(t.turns).toEqual([]);
        expect(t.preview).toBe(`question ${Number(t.id.slice(-2))}`);
        expect(t.path).toBe(rolloutPath(home, t.createdAt * 1000, t.id));
      }
      seen.push(...page.data.map((t) => t.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual(expected);
    expect(pages).toBe(5);
  });

  it('defaults to 25, caps at 100, and ends with a null cursor', async () => {
    await seed();
    const first = await listRollouts(home, {});
    expect(first.data).toHaveLength(25);
    expect(first.nextCursor).not.toBeNull();
    const rest = await listRollouts(home, { cursor: first.nextCursor });
    expect(rest.data).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
    const all = await listRollouts(home, { limit: 1000 });
    expect(all.data).toHaveLength(30);
    expect(all.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not make', async () => {
    await seed();
    await expect(listRollouts(home, { cursor: 'garbage!' })).rejects.toThrow(/invalid cursor/i);
    const forged = Buffer.from('../../etc/passwd').toString('base64url');
    await expect(listRollouts(home, { cursor: forged })).rejects.toThrow(/invalid cursor/i);
  });

  it('lists nothing for an empty home', async () => {
    expect(await listRollouts(home, {})).toEqual({ data: [], nextCursor: null, warnings: [] });
  });

  it('skips unreadable files with a warning', async () => {
    await seed();
    const broken = rolloutPath(home, BASE + 100 * DAY, 'broken');
    await mkdir(dirname(broken), { recursive: true });
    await writeFile(broken, 'garbage\n');
    const page = await listRollouts(home, { limit: 3 });
    expect(page.data.map((t) => t.id)).toEqual(['thread-29', 'thread-28', 'thread-27']);
    expect(page.warnings).toHaveLength(1);
    expect(page.warnings[0]).toContain(broken);
  });

  it('uses a torn-free head: preview survives a torn tail', async () => {
    const created = BASE;
    const path = rolloutPath(home, created, 'torn');
    const rec = await RolloutRecorder.create(path, { thread: makeThread('torn', created), overrides: {} });
    turnEvents('torn', 't1', 'hello there', 'hi', Math.floor(created / 1000)).forEach((e) => rec.record(e));
    await rec.close();
    await appendFile(path, '{"ts":5,"ty');
    const page = await listRollouts(home, {});
    expect(page.data.map((t) => [t.id, t.preview])).toEqual([['torn', 'hello there']]);
  });
});

describe('findRollout', () => {
  it('finds a thread by id and returns null for unknown ids', async () => {
    await seed();
    expect(await findRollout(home, 'thread-07')).toEqual({
      path: rolloutPath(home, BASE + 3 * 3 * DAY + 3600 * 1000, 'thread-07'),
      threadId: 'thread-07',
    });
    expect(await findRollout(home, 'thread-99')).toBeNull();
    expect(await findRollout(home, '../x')).toBeNull();
  });
});
