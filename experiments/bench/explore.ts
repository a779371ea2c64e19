/**
 * `pnpm bench explore [--experiment e] [--profile p] [--moves n] [--backends auto,webgl,wasm]`: slider-to-picture latency of the
 * explorer page in headless Chromium (Debian's, software WebGL and WebAssembly), on a trained
 * experiment under YOTO_HOME. Each move, started with the page idle, sets the slider's value and
 * sends the input event a drag sends; reported (median and p90) are the pictures' redraw and the
 * chart's ring (the page's own performance.now), slider → picture on screen (from the input event
 * to the first animation frame after the redraw, timed in the page), the same seen from Playwright
 * (with its round trip to the browser), and the measurements the page makes once the picture is on
 * screen (MS-SSIM, the VAE's live estimate), with issue 13's targets met or missed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rankQuantile } from '@yoto/bench-stats';
import { parseFlags } from '@yoto/flags';
import { resolveExperiment } from '../src/experiments/registry.js';
import { startExplorer } from '../src/explore/explorer.js';
import { chromiumMissing, openExplorerPage } from '../src/explore/testing/browser.js';
import { resolveHome } from '../src/runner/home.js';

/** Issue 13's slider-to-picture targets: the VAE panel, a 256×256 compression round trip, a 256×256 stylization. */
function targetFor(experiment: string, what: string): number | null {
  if (experiment.startsWith('vae')) return 50;
  if (experiment.startsWith('compression')) return what === ' (codes 256×256)' ? 500 : null;
  if (experiment.startsWith('style')) return what === ' (stylizes 256×256)' ? 300 : null;
  return null;
}

export async function main(args: string[]): Promise<number> {
  const usage = 'pnpm bench explore [--experiment vae-beta-sweep|compression-rd-sweep|style-adjustable] [--profile smoke] [--moves 20] [--backends auto,webgl,wasm]   (YOTO_HOME must hold a finished run)';
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
      // What one move redraws: the compression page codes one image (its size), the style page
      // stylizes one, the VAE page draws a panel.
      const verb = (await page.locator('#yoto-stylized').count()) ? 'stylizes' : 'codes';
      const what = (await page.locator('#original').count()) ? ` (${verb} ${await page.locator('#original').evaluate((c: HTMLCanvasElement) => `${c.width}×${c.height}`)})` : '';
      const used = await page.locator('#subtitle').textContent();
      const pageMs: number[] = [];
      const frameMs: number[] = [];
      const chartMs: number[] = [];
      const wallMs: number[] = [];
      const measureMs: number[] = [];
      const measured = () => page.waitForFunction(() => document.body.dataset.measured === undefined || document.body.dataset.measured === document.body.dataset.renders);
      for (let k = 0; k < moves + 2; k++) {
        // Each move starts with the page idle: the previous move's measurements done.
        await measured();
        const t0 = performance.now();
        // What a drag does (a new value and an input event; not locator.fill, whose actionability
        // checks wait for the slider to be stable over animation frames first), timed in the page
        // up to the first animation frame after the redraw: the frame that shows the new picture.
        const toFrame = await page.evaluate(async (v) => {
          const n = Number(document.body.dataset.renders);
          const slider = document.querySelector('input[type=range]') as HTMLInputElement;
          const start = performance.now();
          slider.value = v;
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          while (Number(document.body.dataset.renders) <= n) await new Promise((r) => requestAnimationFrame(r));
          return performance.now() - start;
        }, String(Math.round(((k * 379) % 1000) + 1) % 1001));
        const wall = performance.now() - t0;
        await measured();
        if (k < 2) continue; // warm-up: shader compilation, first wasm calls
        frameMs.push(toFrame);
        wallMs.push(wall);
        const d = await page.evaluate(() => ({ ...document.body.dataset }));
        pageMs.push(Number(d.ms));
        chartMs.push(Number(d.chartMs));
        if (d.measureMs !== undefined) measureMs.push(Number(d.measureMs));
      }
      const f = (xs: number[]) => `median ${rankQuantile(xs, 0.5).toFixed(1)} ms, p90 ${rankQuantile(xs, 0.9).toFixed(1)} ms`;
      const backendUsed = used?.match(/tfjs (\w+) backend( \(\d+ threads?\))?/);
      console.log(`${backend.padEnd(5)} (${backendUsed ? `${backendUsed[1]}${backendUsed[2] ?? ''}` : '?'} used)${what}, ${moves} moves:`);
      console.log(`      the pictures' redraw ${f(pageMs)}, then the chart's ring ${f(chartMs)}`);
      console.log(`      slider → picture on screen (input event → the next frame after the redraw, in the page) ${f(frameMs)}`);
      console.log(`      the same as Playwright sees it (with its round trip to the browser) ${f(wallMs)}`);
      if (measureMs.length) console.log(`      after the picture is on screen, its measurements (MS-SSIM / the live estimate) ${f(measureMs)}`);
      const target = targetFor(experiment, what);
      if (target !== null) {
        const verdict = (xs: number[]) => `${rankQuantile(xs, 0.5) < target ? 'met' : 'missed'} (${rankQuantile(xs, 0.5).toFixed(1)} ms)`;
        console.log(`      issue 13's target, slider → picture < ${target} ms (median): in the page ${verdict(frameMs)}; as Playwright sees it ${verdict(wallMs)}`);
      }
      await close();
    }
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  } finally {
    await server.close();
    rmSync(userData, { recursive: true, force: true });
  }
  return 0;
}
