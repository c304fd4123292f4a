/**
 * The live inspector: `statecraft app-server --inspect` driven over stdio by a JSON-RPC client,
 * while Debian's chromium (playwright-core) shows the page it serves. The page follows the turn
 * as it runs: the thread appears, the command waits on its approval (the approval machine asks),
 * then the turn completes. The client's side stays the protocol alone (client.ts checks every
 * line against the reference schema). Screenshots go to test-artifacts/inspector/.
 */
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenes, text } from '../appServer/client.js';
import { execCli, jsonEvents, scene as cliScene } from '../cli.harness.js';
import { activeStates, launchChromium, openPage, shot, timelineRows, type Browser } from './browser.js';

const scene = scenes();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Waits until the page's rows include `row` (the page appends them as the stream brings records). */
const rowShown = (page: Page, row: string) => expect.poll(() => timelineRows(page), { timeout: 20_000 }).toContain(row);

describe('app-server --inspect', () => {
  it('serves a page on 127.0.0.1 that follows a running turn, thread by thread', async () => {
    const f = await scene.open({
      turns: [
        [{ call: 'exec_command', args: { cmd: 'touch ../outside.txt', sandbox_permissions: 'require_escalated', justification: 'write outside' } }],
        [{ text: 'Declined, done.', chunks: ['Declined, ', 'done.'] }],
      ],
    });
    const c = scene.connect(f, null, ['--inspect']);
    await expect.poll(() => /inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(c.stderr())?.[1], { timeout: 20_000 }).toBeTruthy();
    const url = /inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(c.stderr())![1]!;

    const errors: string[] = [];
    const page = await openPage(browser, url, errors);
    await expect.poll(() => page.locator('#live-status').textContent()).toBe('live');
    expect(await page.locator('#thread option').count()).toBe(0);

    // The first line on stdout is the answer to initialize: the inspector's URL went to stderr.
    await c.init();
    expect(c.messages[0]).toMatchObject({ result: { userAgent: expect.any(String) } });
    const { thread } = await c.call('thread/start', { cwd: f.ws, approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    await expect
      .poll(() => page.locator('#thread option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)))
      .toEqual([thread.id]);
    await rowShown(page, '⇢ thread/started');
    await shot(page, 'live-thread');

    // The turn runs to its approval: the page shows the question go out and the machines waiting on it.
    await c.call('turn/start', { threadId: thread.id, input: text('touch a file outside') });
    const asked = await c.waitFor('item/commandExecution/requestApproval');
    await rowShown(page, '⇢ item/commandExecution/requestApproval');
    await expect
      .poll(() => activeStates(page), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['session.inTurn', 'approval.asking', 'execCall.awaitingApproval']));
    const tree = await page.locator('#actors').textContent();
    expect(tree).toMatch(/execCall · execCall: awaitingApproval/);
    expect(tree).toMatch(/approval · approval: asking/);
    await page.locator('#chart-execCall').scrollIntoViewIfNeeded();
    await shot(page, 'live-approval');

    // Answered, the turn goes on and ends; the page follows to the end.
    c.send({ id: asked.id, result: { decision: 'decline' } });
    await c.waitFor('turn/completed');
    await rowShown(page, '⇢ turn/completed');
    await expect.poll(() => activeStates(page), { timeout: 20_000 }).toContain('session.ready');
    const rows = await timelineRows(page);
    const order = ['⇢ turn/started', '⇢ item/commandExecution/requestApproval', '⇢ serverRequest/resolved', '⇢ turn/completed'].map((row) => rows.indexOf(row));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThanOrEqual(0);
    expect(await page.locator('#position').textContent()).toBe(`step ${rows.length} of ${rows.length}`);
    await shot(page, 'live-completed');

    // A page that connects now gets what was recorded since the first page came, then the same stream.
    const second = await browser.context.newPage();
    second.on('pageerror', (error) => errors.push(error.message));
    await second.goto(url);
    await expect.poll(() => timelineRows(second), { timeout: 20_000 }).toContain('⇢ turn/completed');
    await second.close();

    // The inspector serves no other host and no other path.
    const foreign = await new Promise<number | undefined>((resolve, reject) =>
      get(url, { headers: { host: 'example.com' } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject),
    );
    expect(foreign).toBe(421);
    expect((await fetch(`${url}nothing`)).status).toBe(404);
    expect(errors).toEqual([]);
    await page.close();
    expect(await c.close()).toBe(0);
  }, 120_000);

  it('refuses a port it cannot use, and a bad one, saying which', async () => {
    const f = await scene.open({ turns: [] });
    const bad = scene.connect(f, null, ['--inspect=99999']);
    expect(await bad.close()).toBe(1);
    expect(bad.stderr()).toMatch(/--inspect.*not a port number: write --inspect=PORT/);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const busy = scene.connect(f, null, [`--inspect=${port}`]);
      expect(await busy.close()).toBe(1);
      expect(busy.stderr()).toMatch(new RegExp(`--inspect: cannot serve the inspector on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(busy.messages).toEqual([]);
    } finally {
      taken.close();
    }
  }, 60_000);

  it('exec --inspect serves the page for its run, says where on stderr, and still ends when the turn does', async () => {
    const s = await cliScene({ turns: [[{ text: 'hello' }]] });
    try {
      const run = await execCli(s, ['--json', '--inspect', '--', 'say hello']);
      expect(run.exitCode).toBe(0);
      expect(String(run.stderr)).toMatch(/^statecraft: inspector at http:\/\/127\.0\.0\.1:\d+\/ /m);
      expect(jsonEvents(run.stdout).map((event) => event['type'])).toEqual(['thread.started', 'turn.started', 'item.completed', 'turn.completed']);
      const prompt = await execCli(s, ['--json', '--inspect', 'say hello']);
      expect(prompt.exitCode).toBe(1);
      expect(String(prompt.stderr)).toMatch(/not a port number: write --inspect=PORT \(0 to 65535\), or give the prompt before a bare --inspect/);
    } finally {
      await s.cleanup();
    }
  }, 60_000);
});
