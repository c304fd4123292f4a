/** The model conversation rebuilt from history records written as turns commit them. */
import { describe, expect, it } from 'vitest';
import { readRollout, RolloutRecorder, rolloutPath } from '../../../actors/rollout/index.js';
import type { ResponseItem } from '../../../protocol/index.js';
import { makeThread, eachTestHome, turnEvents, usage } from './fixtures.js';

let home: string;
eachTestHome((dir) => (home = dir));

const T0 = Date.UTC(2025, 0, 2, 9, 30, 0);
const user = (text: string): ResponseItem => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const call = (id: string): ResponseItem => ({ type: 'function_call', call_id: id, name: 'exec_command', arguments: '{"cmd":"ls"}' });
const output = (id: string, text: string): ResponseItem => ({ type: 'function_call_output', call_id: id, output: text });
const reasoning: ResponseItem = { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'look first' }], encrypted_content: 'opaque' };

async function recorder(id: string) {
  return RolloutRecorder.create(rolloutPath(home, T0, id), { thread: makeThread(id, T0), overrides: { cwd: '/work/ws' } });
}

describe('readRollout: the conversation of each turn', () => {
  it('joins the records a turn wrote as it went, and counts usage per turn', async () => {
    const rec = await recorder('joined');
    const s0 = T0 / 1000;
    turnEvents('joined', 't1', 'q1', 'a1', s0).forEach((e) => rec.record(e));
    rec.history('t1', [user('q1')], usage(0));
    rec.history('t1', [reasoning, call('c1')], usage(100));
    rec.history('t1', [output('c1', 'files')], usage(100));
    rec.history('t1', [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a1' }] }], usage(150));
    rec.history('t2', [user('q2')], usage(150));
    rec.history('t2', [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a2' }] }], usage(190));
    await rec.close();

    const stored = await readRollout(rec.path);
    expect(stored.history).toEqual([
      user('q1'),
      reasoning,
      call('c1'),
      output('c1', 'files'),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a1' }] },
      user('q2'),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a2' }] },
    ]);
    expect(stored.usageTotal).toEqual(usage(190));
    expect(stored.lastTurn?.turnId).toBe('t2');
    expect(stored.lastTurn?.usage.totalTokens).toBe(40);
  });

  it('starts over from a compacted history: what came before is gone, what came after follows it', async () => {
    const rec = await recorder('compacted');
    const s0 = T0 / 1000;
    turnEvents('compacted', 't1', 'q1', 'a1', s0).forEach((e) => rec.record(e));
    rec.history('t1', [user('q1'), call('c1'), output('c1', 'old output')], usage(100));
    rec.history('t2', [user('q2')], usage(100));
    rec.compacted('t2', 'the summary', [user('q1'), user('q2'), user('summary: looked at files')], usage(130));
    rec.history('t2', [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a2' }] }], usage(160));
    rec.history('t3', [user('q3')], usage(160));
    await rec.close();

    const stored = await readRollout(rec.path);
    expect(stored.history).toEqual([
      user('q1'),
      user('q2'),
      user('summary: looked at files'),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a2' }] },
      user('q3'),
    ]);
    expect(stored.usageTotal).toEqual(usage(160));
    expect(stored.warnings).toEqual([]);
  });

  it('answers a call cut off by a crash with "aborted", right after the call', async () => {
    const rec = await recorder('cut');
    const custom: ResponseItem = { type: 'custom_tool_call', call_id: 'p1', name: 'apply_patch', input: '*** Begin Patch' };
    rec.history('t1', [user('q1')], usage(0));
    rec.history('t1', [call('c1'), call('c2'), custom], usage(80));
    // c1 was answered in an earlier commit of a finished round; c2 and the patch never were.
    rec.history('t1', [output('c1', 'done')], usage(80));
    await rec.close();

    const stored = await readRollout(rec.path);
    expect(stored.history).toEqual([
      user('q1'),
      call('c1'),
      call('c2'),
      { type: 'function_call_output', call_id: 'c2', output: 'aborted' },
      custom,
      { type: 'custom_tool_call_output', call_id: 'p1', output: 'aborted' },
      output('c1', 'done'),
    ]);
  });
});
