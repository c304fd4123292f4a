import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldDifferences, shapes, type Shape } from './compare.js';
import { describeViolations, wireViolations } from '../protocol/reference/referenceSchema.js';
import { APP_SERVER_SCENARIOS, loadScenario, loadTranscript, prepareWorkspace, runScenario, type Recorded } from './runner.js';

/**
 * Fields only one side sends, each with its reason. Anything not listed here that differs
 * fails: a field we invent, or one of the reference's that we stopped sending.
 */
const known = {
  oursOnly: [
    // Our workspace is a git repository, the reference's was not at thread/start: the value is an object here, null there.
    /gitInfo\.(sha|branch|originUrl)$/,
    // docs/PROTOCOL.md lists `risk` on command approvals (null unless assessed); the reference leaves it out.
    /^params\.risk$/,
    // docs/PROTOCOL.md lists `skills` on thread/start and thread/resume results: the skills the thread loaded.
    /^result\.skills(\.|\[\]|$)/,
  ],
  referenceOnly: [
    // thread/start and thread/resume results: reference features outside docs/PROTOCOL.md.
    /^result\.(disabledPluginIds|activePermissionProfile|multiAgentMode|collaborationMode)(\.|$)/,
    // thread/resume: paged hydration of turns and items is outside docs/PROTOCOL.md (ours returns thread.turns whole).
    /^result\.(initialTurnsPage|turnsBackwardsCursor|itemsBackwardsCursor)$/,
    // model/list entries: fields beyond the ones docs/PROTOCOL.md lists.
    /^result\.data\[\]\.(upgradeInfo|availabilityNux|modelSpecialty|inputModalities|supportsPersonality|multiAgentVersion|additionalSpeedTiers|serviceTiers|defaultServiceTier|availableAccessPrograms)(\.|\[\]|$)/,
    // thread/list and thread/read: read-state tracking and backwards paging are outside docs/PROTOCOL.md.
    /^result\.(readStates|readState|backwardsCursor)(\.|$)/,
    // ours: an execpolicy amendment is offered only for a single simple command (docs/PROTOCOL.md, Approvals).
    /^params\.availableDecisions\[\]\.acceptWithExecpolicyAmendment(\.|$)/,
  ],
};

/**
 * ours: a command's item/started precedes its spawn, so its early output arrives as deltas
 * the reference never sends. Those deltas are left out when the reference has none for the item.
 */
function withoutExtraOutput(ours: Shape[], reference: Shape[]): Shape[] {
  const itemsWithOutput = new Set(reference.filter((shape) => shape.label.endsWith('outputDelta')).map((shape) => (shape as Shape & { item?: string }).item));
  return ours.filter((shape) => !shape.label.endsWith('outputDelta') || itemsWithOutput.has((shape as Shape & { item?: string }).item));
}

function compare(name: string, ours: Recorded[], reference: Recorded[]) {
  const violations = wireViolations(ours);
  expect(violations, `${name}: messages the reference schema rejects\n${describeViolations(violations)}`).toEqual([]);
  for (const dir of ['c2s', 's2c'] as const) {
    const theirs = shapes(reference).filter((shape) => shape.dir === dir);
    const mine = withoutExtraOutput(
      shapes(ours).filter((shape) => shape.dir === dir),
      theirs,
    );
    expect(
      mine.map((shape) => shape.label),
      `${name}: ${dir} method sequence`,
    ).toEqual(theirs.map((shape) => shape.label));
    mine.forEach((shape, index) => {
      const differences = fieldDifferences(shape, theirs[index]!, known);
      expect(differences, `${name}: fields of ${dir} message ${index} (${shape.label})`).toEqual({ ours: [], reference: [] });
    });
  }
}

/** Each scenario gets a workspace of its own, as each reference run did. */
const roots: string[] = [];
const freshRoot = async () => {
  const root = await mkdtemp(join(tmpdir(), 'statecraft-conformance-'));
  roots.push(root);
  await prepareWorkspace(root);
  return root;
};
// Scenario 09 writes outside its workspace, where the reference did: start and end without it.
const OUTSIDE_09 = '/var/tmp/conf-outside-09';
beforeAll(() => rm(OUTSIDE_09, { recursive: true, force: true }));
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
  await rm(OUTSIDE_09, { recursive: true, force: true });
});

// 12 resumes what 01 recorded, so it runs on its own below.
const SCENARIOS = APP_SERVER_SCENARIOS.filter((name) => name !== '12-resume-list');

describe('app-server conformance with the reference transcripts', () => {
  for (const name of SCENARIOS) {
    it(name, async () => {
      const root = await freshRoot();
      const ours = await runScenario(await loadScenario(name), root, join(root, 'home'));
      compare(name, ours, await loadTranscript(name));
    });
  }

  it('12-resume-list (after 01-text-stream in the same home)', async () => {
    const root = await freshRoot();
    const home = join(root, 'home');
    await runScenario(await loadScenario('01-text-stream'), root, home);
    const ours = await runScenario(await loadScenario('12-resume-list'), root, home);
    compare('12-resume-list', ours, await loadTranscript('12-resume-list'));
    // The resumed thread's next model request carried the first conversation.
    const turnCompleted = ours.filter((entry) => entry.msg.method === 'turn/completed');
    expect(turnCompleted.at(-1)?.msg.params.turn.status).toBe('completed');
  });
});
