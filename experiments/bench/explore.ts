/**
 * `pnpm bench explore [--experiment e] [--profile p] [--moves n]`: slider-to-picture latency of the
 * explorer page in headless Chromium (Debian's, software WebGL and WebAssembly), on a trained
 * experiment under YOTO_HOME. Each move sets the slider and waits until the page has drawn the new
 * pictures; reported are the page's own time (performance.now around the redraw) and the wall time
 * Playwright sees from the slider change to the redraw being done.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '@yoto/flags';
import { resolveExperiment } from '../src/experiments/registry.js';
import { startExplorer } from '../src/explore/explorer.js';
import { resolveHome } from '../src/runner/home.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export async function main(args: string[]): Promise<number> {
  const usage = 'pnpm bench explore [--experiment vae-beta-sweep] [--profile smoke] [--moves 20]   (YOTO_HOME must hold a finished run)';
  const { flags } = parseFlags(
    'bench explore',
    args,
    { experiment: { type: 'string', default: 'vae-beta-sweep' }, profile: { type: 'string', default: 'smoke' }, moves: { type: 'integer', min: 1, default: 20 } },
    usage,
  );
  if (flags.help) {
    console.log(`usage: ${usage}`);
    return 0;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium is not installed at ${CHROMIUM} (Debian: apt-get install chromium)`);
    return 2;
  }
  const { experiment, profile, moves } = flags;
  const home = resolveHome(process.env, process.cwd());
  const server = await startExplorer({ home, resolved: resolveExperiment(experiment, profile), port: 0 });
  const { chromium } = await import('playwright-core');
  const userData = mkdtempSync(join(tmpdir(), 'yoto-bench-explore-'));
  const browser = await chromium.launchPersistentContext(userData, { executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    for (const backend of ['auto', 'webgl', 'wasm']) {
      const page = await browser.newPage();
      await page.goto(backend === 'auto' ? server.url : `${server.url}?backend=${backend}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      const used = await page.locator('#subtitle').textContent();
      const pageMs: number[] = [];
      const wallMs: number[] = [];
      for (let k = 0; k < moves + 2; k++) {
        const n = Number(await page.evaluate(() => document.body.dataset.renders));
        const t0 = performance.now();
        await page.locator('input[type=range]').first().fill(String(Math.round(((k * 379) % 1000) + 1) % 1001));
        await page.waitForFunction((m) => Number(document.body.dataset.renders) > m, n, { polling: 'raf' });
        const wall = performance.now() - t0;
        if (k < 2) continue; // warm-up: shader compilation, first wasm calls
        wallMs.push(wall);
        pageMs.push(Number(await page.evaluate(() => document.body.dataset.ms)));
      }
      const f = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(1)} ms, p90 ${quantile(xs, 0.9).toFixed(1)} ms`;
      console.log(`${backend.padEnd(5)} (${used?.match(/tfjs (\w+) backend/)?.[1] ?? '?'} used): redraw in page ${f(pageMs)}; slider → picture (Playwright) ${f(wallMs)}  [${moves} moves]`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(userData, { recursive: true, force: true });
  }
  return 0;
}
