import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WORKSPACE } from './processes';

/** Debian's Chromium (.ci/run installs it); Playwright's own browser download cannot work here. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
/** Screenshots of each page, linked from the README. */
export const SCREENSHOTS = join(WORKSPACE, 'docs/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface DashboardBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** What the page logged as errors and threw, for a failing story's message. */
  errors: string[];
  /** Folder downloads land in; removed by `close()`. */
  downloads: string;
  screenshot: (name: string) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Headless Chromium as the machine runs it: as root it needs --no-sandbox, and without the
 * background-networking flags it keeps dialling Google's hosts, which this closed network refuses.
 */
export async function openDashboardBrowser(): Promise<DashboardBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  const downloads = mkdtempSync(join(tmpdir(), 'codcall-downloads-'));
  // Playwright starts Chromium with a new empty profile of its own, removed when it closes.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    downloadsPath: downloads,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The recording is played by the test, not by a person's click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    browser,
    context,
    page,
    errors,
    downloads,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
    },
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}
