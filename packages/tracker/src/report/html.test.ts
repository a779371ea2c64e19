import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populateDemo } from '../__fixtures__/demo.js';
import { openTracker } from '../store.js';
import { buildReport, type Report } from './build.js';
import { chartToSvg, svgToPng } from './render.js';
import { renderReport } from './write.js';

const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let report: Report;
let html: string;
let gridWidth: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yoto-html-'));
  const t = openTracker(join(dir, 'db.sqlite'));
  const { yoto } = populateDemo(t, { steps: 40 });
  // A "reconstruction grid" image artifact, embedded in the page as a data URI.
  const grid = join(dir, 'recon.png');
  const png = svgToPng(await chartToSvg({ width: 40, height: 40, mark: 'rect', data: { values: [{}] } }), 1);
  gridWidth = png.readUInt32BE(16);
  writeFileSync(grid, png);
  yoto.logArtifact(grid, 'image', { beta: 1 });
  report = buildReport(t, 'vae-demo', { lambdaTitle: 'β' });
  t.close();
  html = (await renderReport(report, join(dir, 'out'), { formats: ['html'] })).html!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the HTML report', () => {
  it('is self-contained: libraries inlined, no remote references, images and tables inside', () => {
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<script data-lib="(vega|vega-lite|vega-embed)">/g)).toHaveLength(3);
    expect(page).not.toMatch(/<script[^>]+src=/);
    expect(page).not.toMatch(/<link[^>]+href=/);
    expect(page).not.toMatch(/(src|href)="https?:/);
    expect(page).toMatch(/<img alt="image: recon\.png \(beta=1\)" src="data:image\/png;base64,iVBORw0KGgo/);
    for (const t of report.tables) expect(page).toContain(`<table data-table="${t.id}">`);
    for (const c of report.charts) expect(page).toContain(`id="chart-${c.id}"`);
  });

  it('renders every chart in headless Chromium with no console errors and no network', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      const why = `Chromium is not installed at ${CHROMIUM} (Debian: apt-get install chromium); .ci/run installs it`;
      console.warn(`skipped: ${why}`);
      ctx.skip(why);
      return;
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(html).href);
      // Browser-side code as strings: this package compiles without the DOM library.
      await page.waitForFunction('window.__yotoReport && window.__yotoReport.done === true', null, { timeout: 60_000 });
      const state = await page.evaluate('window.__yotoReport');
      expect(state).toEqual({ total: report.charts.length, rendered: report.charts.length, failed: [], done: true });
      const marks = await page.evaluate<Record<string, { svg: number; paths: number; symbols: number }>>(`
        Object.fromEntries([...document.querySelectorAll('.vega-chart')].map((el) => [el.id, {
          svg: el.querySelectorAll('svg').length,
          paths: el.querySelectorAll('svg g.role-mark path').length,
          symbols: el.querySelectorAll('svg g.mark-symbol.role-mark path').length,
        }]))`);
      expect(Object.keys(marks).sort()).toEqual(report.charts.map((c) => `chart-${c.id}`).sort());
      for (const [id, m] of Object.entries(marks)) {
        expect(m.svg, id).toBe(1);
        expect(m.paths, id).toBeGreaterThan(0);
      }
      // 10 YOTO grid points (line points) + 4 baseline diamonds in the trade-off plane.
      expect(marks['chart-tradeoff-1'].symbols).toBe(14);
      const img = await page.evaluate('[...document.images].map((i) => [i.complete, i.naturalWidth])');
      expect(img).toEqual([[true, gridWidth]]);
      expect(problems).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
