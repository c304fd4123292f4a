/**
 * Our wire against the reference's published JSON Schema. The validator itself is checked
 * both ways first (the reference's own transcripts pass, a known bad message fails); the
 * conformance and e2e suites then run every message they see through it. Here the schema
 * we generate is compared with the reference's, and every difference must be explained in
 * docs/PROTOCOL.md.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import braces from 'braces';
import { describe, expect, it } from 'vitest';
import { APP_SERVER_SCENARIOS, loadTranscript } from '../../conformance/runner.js';
import { describeViolations, schemaDifferences, wireViolations } from '../reference/referenceSchema.js';

type Json = any;

/** The transcripts replace times and durations with placeholders; put numbers back. */
const withNumbers = (value: Json): Json => {
  if (value === '<TS>' || value === '<DURATION>') return 1_700_000_000;
  if (Array.isArray(value)) return value.map(withNumbers);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withNumbers(entry)]));
  return value;
};

describe('the reference schema as a validator', () => {
  it("accepts every message of the reference's own transcripts", async () => {
    let checked = 0;
    for (const name of APP_SERVER_SCENARIOS) {
      const recorded = withNumbers(await loadTranscript(name));
      checked += recorded.filter((entry: Json) => entry.dir === 's2c').length;
      const violations = wireViolations(recorded);
      expect(violations, `${name}\n${describeViolations(violations)}`).toEqual([]);
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('rejects what a strict client would reject', async () => {
    const started0 = (await loadTranscript('01-text-stream')).find((entry) => entry.msg.method === 'thread/started')!;
    const thread = withNumbers(started0.msg.params.thread);
    const started = (patch: Json) => [{ dir: 's2c' as const, msg: { method: 'thread/started', params: { thread: { ...thread, ...patch } } } }];
    expect(wireViolations(started({}))).toEqual([]);
    expect(wireViolations(started({ historyMode: null })).map((v) => v.kind)).toEqual(['ServerNotification thread/started']);
    expect(wireViolations([{ dir: 's2c', msg: { method: 'turn/wandered', params: {} } }])[0]?.errors).toEqual(['no schema for it in the reference or in ours']);
    // A response is judged by the method of the request it answers.
    const exchange = [
      { dir: 'c2s' as const, msg: { id: 7, method: 'turn/interrupt', params: {} } },
      { dir: 's2c' as const, msg: { id: 7, result: { turn: 'not this' } } },
    ];
    expect(wireViolations(exchange)).toEqual([]);
    expect(
      wireViolations([
        { dir: 'c2s', msg: { id: 8, method: 'thread/read', params: {} } },
        { dir: 's2c', msg: { id: 8, result: {} } },
      ])[0]?.kind,
    ).toBe('thread/read response');
  });
});

/** The rows of the differences table in docs/PROTOCOL.md, each expanded to the keys it names. */
function documentedDifferences(): Array<{ row: string; keys: string[] }> {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/PROTOCOL.md'), 'utf8');
  const section = doc.slice(doc.indexOf("## Where our schema differs from the reference's"));
  return [...section.matchAll(/^\| `([^`]+)` +\| (.+?) +\|$/gm)].map((match) => {
    const [where, kind] = match[1]!.split(' ');
    return { row: match[1]!, keys: braces.expand(where!).map((expanded) => `${expanded} ${kind}`) };
  });
}

describe('our generated schema against the reference', () => {
  it('differs only where docs/PROTOCOL.md says why', () => {
    const { differences, unmatched } = schemaDifferences();
    const rows = documentedDifferences();
    console.log(`${differences.length} differences between our schema and the reference's, in ${rows.length} documented rows`);
    const documented = new Set(rows.flatMap((row) => row.keys));
    const unexplained = differences.filter((d) => !documented.has(d.key)).map((d) => `${d.key}: ${d.detail}`);
    expect(unexplained, 'differences docs/PROTOCOL.md does not explain').toEqual([]);
    const found = new Set(differences.map((d) => d.key));
    const stale = rows.flatMap((row) => row.keys.filter((key) => !found.has(key)).map((key) => `${key} (row ${row.row})`));
    expect(stale, 'rows of docs/PROTOCOL.md that match no difference any more').toEqual([]);
    // `initialized` carries no params in either schema; `account/logout` takes none in the reference, an empty object in ours.
    expect(unmatched).toEqual(['AccountLogoutParams', 'InitializedNotification']);
  });
});
