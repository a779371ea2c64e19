// Headless Chromium for the explorer's browser tests and bench (Debian's browser, driven by
// playwright-core): one launch, the page's console errors and any request leaving the local server.
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningExplorer } from '../server.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the browser tests cannot run here, or null when Chromium is installed. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium is not installed at ${CHROMIUM} (Debian: apt-get install chromium); .ci/run installs it`;
}

export interface ExplorerPage {
  page: Page;
  /** Console errors and uncaught exceptions of the page. */
  problems: string[];
  /** Requests to anywhere but the explorer server (and data:/blob: URLs). */
  outside: string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh headless Chromium profile under `dir` and waits until the page is ready (or failed). */
export async function openExplorerPage(url: string, dir: string, viewport = { width: 1400, height: 900 }): Promise<ExplorerPage> {
  const { chromium } = await import('playwright-core');
  const browser: BrowserContext = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  // Generous waits: the machine these run on may be loaded.
  page.setDefaultTimeout(120_000);
  const problems: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // The server's own origin (the address may carry a query: ?kl=4).
  const site = `${new URL(url).origin}/`;
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(site) && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"], body[data-failed="true"]', { timeout: 180_000 });
  return { page, problems, outside, close: () => browser.close() };
}

/**
 * The explorer tests' frame: opens `server`'s page in headless Chromium, checks that it started
 * without an error, runs `body`, then checks what every explorer page must hold (no console error,
 * no request leaving the local server) and closes the browser and the server, whatever happened.
 */
export async function withExplorerPage(server: RunningExplorer, dir: string, body: (page: Page) => Promise<void>): Promise<void> {
  try {
    await withPageAt(server.url, dir, body);
  } finally {
    await server.close();
  }
}

/**
 * The same checks around one page at `url` (an explorer's address with a query, `?kl=4`), leaving
 * the server running: for a test that opens several addresses of one server.
 */
export async function withPageAt(url: string, dir: string, body: (page: Page) => Promise<void>): Promise<void> {
  const { page, problems, outside, close } = await openExplorerPage(url, dir);
  try {
    const error = await page.locator('#error').textContent();
    if (error) throw new Error(`the page shows an error: ${error}`);
    await body(page);
    if (problems.length) throw new Error(`the page logged errors:\n${problems.join('\n')}`);
    if (outside.length) throw new Error(`the page made requests beyond the explorer server: ${outside.join(', ')}`);
  } finally {
    await close();
  }
}

/** The RGBA bytes of a canvas on the page. */
export function canvasPixels(page: Page, id: string): Promise<number[]> {
  return page.evaluate((i) => {
    const c = document.getElementById(i) as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }, id);
}

/** How many renders the page has finished (body[data-renders]). */
export async function renderCount(page: Page): Promise<number> {
  return Number(await page.evaluate(() => document.body.dataset.renders));
}

/** Waits until the page has measured its latest redraw too (MS-SSIM, the live estimate: body[data-measured]). */
export async function waitMeasured(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.measured !== undefined && document.body.dataset.measured === document.body.dataset.renders);
}

/** The transform of the chart's current-λ ring (the layer the page adds to the report's spec). */
export function ringTransform(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('#chart svg g.current_lambda_marks path')!.getAttribute('transform'));
}

/** Centre of the chart's baseline point whose aria label matches `key` (e.g. `baseline-beta=8/`). */
export function baselinePoint(page: Page, key: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((k) => {
    const paths = Array.from(document.querySelectorAll('#chart svg g.mark-symbol path'));
    const p = paths.find((e) => (e.getAttribute('aria-label') ?? '').includes(k));
    // In view first (the style page's chart sits below its pictures): a click lands only inside the viewport.
    p?.scrollIntoView({ block: 'center' });
    const r = p?.getBoundingClientRect();
    return r ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
  }, key);
}
