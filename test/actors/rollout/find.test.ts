/** Finding a thread's rollout by its id or a unique prefix of it, never by a tail. */
import { describe, expect, it } from 'vitest';
import { AmbiguousThreadIdError, findRollout, MIN_THREAD_ID_PREFIX, RolloutRecorder, rolloutPath } from '../../../actors/rollout/index.js';
import { makeThread, eachTestHome } from './fixtures.js';

let home: string;
eachTestHome((dir) => (home = dir));

const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
const TWIN_A = 'a1b2c3d4-1111-4222-8333-444455556666';
const TWIN_B = 'a1b2c3d4-9999-4222-8333-777788889999';
const LONE = 'ffee0011-2222-4333-8444-555566667777';

async function record(id: string, at: number): Promise<string> {
  const path = rolloutPath(home, at, id);
  const rec = await RolloutRecorder.create(path, { thread: makeThread(id, at), overrides: {} });
  await rec.close();
  return path;
}

describe('findRollout by id or prefix', () => {
  it('takes a full id, or a unique prefix of at least 8 characters, and nothing else', async () => {
    await record(TWIN_A, T0);
    await record(TWIN_B, T0 + 1000);
    const lone = await record(LONE, T0 + 2000);
    expect(MIN_THREAD_ID_PREFIX).toBe(8);
    expect(await findRollout(home, LONE)).toEqual({ path: lone, threadId: LONE });
    expect(await findRollout(home, 'ffee0011')).toEqual({ path: lone, threadId: LONE });
    expect(await findRollout(home, 'ffee0011-2222')).toEqual({ path: lone, threadId: LONE });
    // The last group of an id, or any other tail, names nothing.
    expect(await findRollout(home, '555566667777')).toBeNull();
    expect(await findRollout(home, '8444-555566667777')).toBeNull();
    expect(await findRollout(home, 'ffee001')).toBeNull();
    expect(await findRollout(home, '../x')).toBeNull();
    expect(await findRollout(home, '')).toBeNull();
    expect((await findRollout(home, 'a1b2c3d4-1'))?.threadId).toBe(TWIN_A);
  });

  it('refuses a prefix two threads share, naming both', async () => {
    await record(TWIN_A, T0);
    await record(TWIN_B, T0 + 1000);
    const lookup = findRollout(home, 'a1b2c3d4');
    await expect(lookup).rejects.toBeInstanceOf(AmbiguousThreadIdError);
    await expect(findRollout(home, 'a1b2c3d4')).rejects.toThrow(new RegExp(`${TWIN_B}.*${TWIN_A}|${TWIN_A}.*${TWIN_B}`, 's'));
  });
});
