/**
 * Debian's chromium (`/usr/bin/chromium`, installed by .ci/run) driven through playwright-core,
 * headless, with a throwaway profile: no browser download, no network but 127.0.0.1 and files.
 * Screenshots go to test-artifacts/inspector/ (gitignored).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts/inspector');
const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'statecraft-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: BROWSER_ARGS });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A new page at `url`, 1400x900, once its charts are drawn; the page's script errors are added to `errors`. */
export async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(url);
  await page.waitForSelector('svg.chart');
  return page;
}

/** Keeps what the page shows now as test-artifacts/inspector/NAME.png. */
export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

/** The state ids highlighted on the charts. */
export const activeStates = (page: Page): Promise<string[]> =>
  page.$$eval('.state.active', (nodes) => nodes.map((node) => (node as HTMLElement).dataset.state!));

/** The timeline's rows, as their text. */
export const timelineRows = (page: Page): Promise<string[]> => page.$$eval('#timeline .row', (nodes) => nodes.map((node) => node.textContent ?? ''));
