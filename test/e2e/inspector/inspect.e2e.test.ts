/**
 * The inspector end to end: `exec --trace` against the scripted model (a declined command
 * approval, a declined patch approval, a patch, a streamed answer), then `statecraft inspect` on
 * the trace, and the page driven in Debian's chromium through playwright-core. Screenshots of
 * each check go to test-artifacts/inspector/ (not committed).
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineDefinitions, type StateDefinition } from '../../../machines/index.js';
import { CLI, execCli, scene, type Scene } from '../cli.harness.js';
import { activeStates as active, launchChromium, openPage, shot, timelineRows as rows, type Browser } from './browser.js';

let s: Scene;
let trace: string;
let browser: Browser;
const servers: ResultPromise[] = [];

/** Starts `statecraft inspect ARGS` and resolves with the URL it prints. */
async function inspect(args: string[]): Promise<string> {
  const child = execa('node', [CLI, 'inspect', ...args], { env: { HOME: s.root, STATECRAFT_HOME: s.home }, reject: false, stdin: 'ignore' });
  servers.push(child);
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) if (line.startsWith('http://')) return line.trim();
  throw new Error(`inspect printed no URL: ${String((await child).stderr)}`);
}

async function open(url: string): Promise<Page> {
  const errors: string[] = [];
  const page = await openPage(browser, url, errors);
  expect(errors).toEqual([]);
  return page;
}

const flatten = (state: StateDefinition): StateDefinition[] => [state, ...state.states.flatMap(flatten)];

beforeAll(async () => {
  s = await scene({
    turns: [
      [{ call: 'exec_command', args: { cmd: 'touch ../outside.txt', sandbox_permissions: 'require_escalated', justification: 'write outside' } }],
      // Outside the workspace: the patch asks first (and is declined: there is no terminal to answer on).
      [{ custom: 'apply_patch', input: '*** Begin Patch\n*** Add File: ../outside-patch.txt\n+outside\n*** End Patch\n' }],
      [{ custom: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n' }],
      [{ text: 'All done.', chunks: ['All ', 'done.'] }],
    ],
  });
  // /tmp is no writable root here, so the patch outside the workspace (in the scene's temp root) must ask.
  const noTmp = ['-c', 'sandbox_workspace_write.exclude_slash_tmp=true', '-c', 'sandbox_workspace_write.exclude_tmpdir_env_var=true'];
  const run = await execCli(s, ['--json', '--trace', '-a', 'on-request', '-s', 'workspace-write', ...noTmp, 'do it']);
  expect(run.exitCode).toBe(0);
  const day = async (dir: string): Promise<string> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const file = entries.find((entry) => entry.isFile() && entry.name.startsWith('trace-'));
    if (file) return join(dir, file.name);
    return day(join(dir, entries.find((entry) => entry.isDirectory())!.name));
  };
  trace = await day(join(s.home, 'sessions'));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.catch(() => undefined)));
  await s?.cleanup();
});

describe('statecraft inspect', () => {
  it('draws every state of every machine and replays the recorded turn step by step', async () => {
    const page = await open(await inspect([trace]));
    const drawn = new Set(await page.$$eval('[data-state]', (nodes) => nodes.map((node) => (node as HTMLElement).dataset.state!)));
    for (const definition of machineDefinitions()) {
      for (const state of flatten(definition.root)) expect(drawn, `${definition.id}: ${state.id}`).toContain(state.id);
    }
    await shot(page, 'charts');

    // Scrubbing to where the command waits on its approval highlights both machines' waiting states.
    const timeline = await rows(page);
    const waiting = timeline.findIndex((row) => row.startsWith('execCall ⇒ awaitingApproval'));
    expect(waiting).toBeGreaterThan(0);
    await page.locator('#scrubber').fill(String(waiting));
    expect(await page.locator('#position').textContent()).toBe(`step ${waiting + 1} of ${timeline.length}`);
    expect(await active(page)).toEqual(expect.arrayContaining(['approval.asking', 'execCall.awaitingApproval', 'toolCall.command', 'turn.dispatching']));
    await shot(page, 'approval');

    // Stepping on with the keyboard moves the highlight: the approval is declined and the call ends.
    const before = await active(page);
    const declined = timeline.findIndex((row, index) => index > waiting && row.startsWith('approval ⇒ resolved'));
    expect(declined).toBeGreaterThan(waiting);
    for (let step = waiting; step < declined; step++) await page.keyboard.press('ArrowRight');
    expect(await page.locator('#position').textContent()).toBe(`step ${declined + 1} of ${timeline.length}`);
    const after = await active(page);
    expect(after).not.toEqual(before);
    expect(after).toContain('approval.resolved');
    await page.keyboard.press('ArrowLeft');
    expect(await active(page)).toContain('approval.asking');
    await shot(page, 'stepped');

    // The timeline shows the command's item/started, its approval request, then item/completed, in order.
    const started = timeline.findIndex(
      (row) => row === '⇢ item/started' && timeline.indexOf('⇢ item/commandExecution/requestApproval') > timeline.indexOf(row),
    );
    const asked = timeline.indexOf('⇢ item/commandExecution/requestApproval');
    const completed = timeline.findIndex((row, index) => index > asked && row === '⇢ item/completed');
    expect(started).toBeGreaterThanOrEqual(0);
    expect(asked).toBeGreaterThan(started);
    expect(completed).toBeGreaterThan(asked);

    // Selecting an event shows its payload and the transition it caused.
    await page.locator(`#step-${timeline.findIndex((row) => row.startsWith('turn.start '))}`).click();
    expect(await page.locator('#detail').textContent()).toMatch(/transition: ready → inTurn/);

    // The filter keeps the rows that mention an id; the patch's call id is in its events.
    await page.locator('#filter').fill('patchcall');
    const shown = await page.$$eval('#timeline .row:not([hidden])', (nodes) => nodes.map((node) => node.textContent ?? ''));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(timeline.length);
    expect(shown.some((row) => row.includes('patchCall'))).toBe(true);
    await shot(page, 'filtered');
    await page.close();
  }, 120_000);

  it("shows the patch's approval in the timeline and the actor tree, and a chosen actor on its chart", async () => {
    const page = await open(await inspect([trace]));
    const timeline = await rows(page);
    // The patch's approval in order: its item starts, the question goes out, it is resolved, the item completes.
    const asked = timeline.indexOf('⇢ item/fileChange/requestApproval');
    expect(asked).toBeGreaterThan(timeline.indexOf('⇢ item/commandExecution/requestApproval'));
    const started = timeline.lastIndexOf('⇢ item/started', asked);
    const resolvedAt = timeline.indexOf('⇢ serverRequest/resolved', asked);
    const completed = timeline.indexOf('⇢ item/completed', asked);
    expect(started).toBeGreaterThan(0);
    expect(resolvedAt).toBeGreaterThan(asked);
    expect(completed).toBeGreaterThan(resolvedAt);
    // Protocol events sit in the emitted column, what the machines received in the other.
    expect(await page.locator(`#step-${asked} > span`).getAttribute('class')).toBe('col-emitted');
    expect(await page.locator(`#step-${timeline.findIndex((row) => row.startsWith('turn.start '))} > span`).getAttribute('class')).toBe('col-received');

    // Scrubbed to the patch waiting on its approval: the approval asks, the patch waits, the toolCall routes a patch.
    const waiting = timeline.findIndex((row) => row.startsWith('patchCall ⇒ awaitingApproval'));
    expect(waiting).toBeGreaterThan(0);
    await page.locator('#scrubber').fill(String(waiting));
    expect(await active(page)).toEqual(expect.arrayContaining(['approval.asking', 'patchCall.awaitingApproval', 'toolCall.patch']));
    // In the actor tree the approval is a child of the patch call, asking.
    const patchActor = page.locator('#actors li.actor', { has: page.locator(':scope > button', { hasText: /· patchCall: awaitingApproval/ }) });
    await expect.poll(() => patchActor.count()).toBe(1);
    expect(await patchActor.locator(':scope > ul > li.actor > button').allTextContents()).toEqual([expect.stringMatching(/· approval: asking$/)]);
    // Chosen in the tree, the patch call is the one its chart shows (scrolled into view).
    await patchActor.locator(':scope > button').click();
    expect(await page.locator('#chart-patchCall .chart-actor').textContent()).toBe('patchCall: awaitingApproval (chosen)');
    expect(await active(page)).toContain('patchCall.awaitingApproval');
    await shot(page, 'patch-approval');
    await patchActor.locator(':scope > button').click();

    // Stepping on past the approval, the chosen (older) command call stays on the execCall chart, with its state.
    await page.keyboard.press('End');
    const command = page.locator('#actors button', { hasText: /· execCall: / });
    await command.first().click();
    expect(await command.first().getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#chart-execCall .chart-actor').textContent()).toMatch(/\(chosen\)$/);
    expect(await active(page)).toContain('execCall.done');
    // The keyboard reaches the tree's buttons too: Enter on the focused button lets the choice go.
    await command.first().focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#chart-execCall .chart-actor').textContent()).not.toMatch(/\(chosen\)$/);
    await shot(page, 'chosen-actor');
    await page.close();
  }, 120_000);

  it('marks where frames were lost (a live page that fell behind) in the timeline and the header', async () => {
    const file = join(s.root, 'trace-lost.jsonl');
    const lines = [
      { k: 'meta', v: 1, ts: 1, threadId: 'lost' },
      { k: 'actor', ts: 1, a: 'x:0', id: 'session', parent: null, machine: 'session' },
      { k: 'state', ts: 1, a: 'x:0', value: 'ready', status: 'active', changed: {} },
      { k: 'dropped', ts: 2, count: 37 },
      { k: 'protocol', ts: 3, method: 'turn/started', params: {} },
    ];
    await writeFile(file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const page = await open(await inspect([file]));
    expect(await rows(page)).toEqual([
      '+ session (session)',
      'session ⇒ ready',
      '⚠ 37 trace frames not shown (this page fell behind, or they were folded)',
      '⇢ turn/started',
    ]);
    expect(await page.locator('#dropped').textContent()).toBe('37 trace frames not shown');
    await page.keyboard.press('End');
    expect(await active(page)).toEqual(['session.ready']);
    await shot(page, 'dropped');
    await page.close();
  }, 60_000);

  it('exports one self-contained HTML file that works from disk', async () => {
    const file = join(s.root, 'trace.html');
    const result = await execa('node', [CLI, 'inspect', trace, '--export', file], { reject: false, env: { HOME: s.root, STATECRAFT_HOME: s.home } });
    expect(result.exitCode).toBe(0);
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${file}`);
    await page.waitForSelector('svg.chart');
    expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
    expect(await page.$$eval('#timeline .row', (nodes) => nodes.length)).toBeGreaterThan(10);
    await page.keyboard.press('End');
    expect(await active(page)).toContain('session.closed');
    await shot(page, 'export');
    await page.close();
  }, 120_000);

  it('shows the charts alone with --machines, and names what is missing otherwise', async () => {
    const page = await open(await inspect(['--machines']));
    expect(await page.$$eval('svg.chart', (nodes) => nodes.map((node) => node.getAttribute('data-machine')))).toEqual(
      machineDefinitions().map((definition) => definition.id),
    );
    expect(await page.locator('#replay').isHidden()).toBe(true);
    await shot(page, 'machines');
    await page.close();
    const missing = await execa('node', [CLI, 'inspect', 'no-such-thread'], { reject: false, env: { HOME: s.root, STATECRAFT_HOME: s.home } });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/no recorded thread with id no-such-thread/);
    const none = await execa('node', [CLI, 'inspect'], { reject: false, env: { HOME: s.root, STATECRAFT_HOME: s.home } });
    expect(none.stderr).toMatch(/name a thread id or a trace file, or pass --last/);
  }, 120_000);
});
