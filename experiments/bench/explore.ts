/**
 * `pnpm bench explore [--experiment e] [--profile p] [--moves n] [--backends auto,webgl,wasm]`: slider-to-picture latency of the
 * explorer page in headless Chromium (Debian's, software WebGL and WebAssembly), on a trained
 * experiment under YOTO_HOME. Each move sets the slider and waits until the page has drawn the new
 * pictures; reported are the page's own time (performance.now around the redraw) and the wall time
 * Playwright sees from the slider change to the redraw being done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '@yoto/flags';
import { resolveExperiment } from '../src/experiments/registry.js';
import { startExplorer } from '../src/explore/explorer.js';
import { chromiumMissing, openExplorerPage } from '../src/explore/testing/browser.js';
import { resolveHome } from '../src/runner/home.js';


const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export async function main(args: string[]): Promise<number> {
  const usage = 'pnpm bench explore [--experiment vae-beta-sweep|compression-rd-sweep] [--profile smoke] [--moves 20] [--backends auto,webgl,wasm]   (YOTO_HOME must hold a finished run)';
  const { flags } = parseFlags(
    'bench explore',
    args,
    {
      experiment: { type: 'string', default: 'vae-beta-sweep' },
      profile: { type: 'string', default: 'smoke' },
      moves: { type: 'integer', min: 1, default: 20 },
      backends: { type: 'string', default: 'auto,webgl,wasm' },
    },
    usage,
  );
  if (flags.help) {
    console.log(`usage: ${usage}`);
    return 0;
  }
  const missing = chromiumMissing();
  if (missing) {
    console.error(missing);
    return 2;
  }
  const { experiment, profile, moves } = flags;
  // A software WebGL redraws a 256×256 compression round trip in tens of seconds under load: it can be left out.
  const backends = flags.backends.split(',');
  const unknown = backends.find((b) => !['auto', 'webgl', 'wasm'].includes(b));
  if (unknown !== undefined) {
    console.error(`bench explore: --backends: '${unknown}' is not one of auto, webgl, wasm`);
    return 2;
  }
  const home = resolveHome(process.env, process.cwd());
  const server = await startExplorer({ home, resolved: resolveExperiment(experiment, profile), port: 0 });
  const userData = mkdtempSync(join(tmpdir(), 'yoto-bench-explore-'));
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  try {
    for (const backend of backends) {
      const { page, close } = await openExplorerPage(backend === 'auto' ? server.url : `${server.url}?backend=${backend}`, userData);
      if ((await page.evaluate(() => document.body.dataset.failed)) === 'true') throw new Error(`the page failed: ${await page.locator('#error').textContent()}`);
      // What one move redraws: the compression page codes one image (its size), the VAE page a panel.
      const what = (await page.locator('#original').count()) ? ` (codes ${await page.locator('#original').evaluate((c: HTMLCanvasElement) => `${c.width}×${c.height}`)})` : '';
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
      console.log(`${backend.padEnd(5)} (${used?.match(/tfjs (\w+) backend/)?.[1] ?? '?'} used)${what}: redraw in page ${f(pageMs)}; slider → picture (Playwright) ${f(wallMs)}  [${moves} moves]`);
      await close();
    }
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  } finally {
    await server.close();
    rmSync(userData, { recursive: true, force: true });
  }
  return 0;
}
