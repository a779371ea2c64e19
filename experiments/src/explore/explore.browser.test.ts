// The explorer page in real headless Chromium (Debian's, driven by playwright-core): a smoke-size
// VAE experiment is trained through the CLI, the page is served, and the test moves the slider,
// clicks a baseline on the chart and compares the page's pixels with the same model run in Node.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { loadTrained } from '@yoto/core';
import { reconstructAt, type VaeModel } from '@yoto/tasks-vae';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';
import { runCli } from '../testing/cli.js';
import { checkpointDir, resolveHome } from '../runner/home.js';
import { checkpointPath } from '@yoto/core/checkpoint-path';
import { startExplorer } from './explorer.js';
import type { Page } from 'playwright-core';
import { sliderValue } from './page/address.js';
import { baselinePoint, canvasPixels, chromiumMissing, renderCount, ringTransform, waitMeasured, withExplorerPage, withPageAt } from './testing/browser.js';

let root: string;
let homeDir: string;
const cli = (argv: string[]) => runCli(argv, { env: { ...process.env, YOTO_HOME: homeDir }, cwd: root });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'yoto-explore-'));
  homeDir = join(root, 'home');
  // A tiny smoke run: enough steps for β to change the pictures, few enough to take seconds.
  const r = await cli(['run', 'vae-beta-sweep', '--profile', 'smoke', '--workers', '1', '--backend', 'wasm', '--set', 'yoto.steps=30', '--set', 'baselines.steps=20', '--set', 'train.checkpointEvery=10']);
  if (r.code !== 0) throw new Error(`the smoke run failed (${r.code}): ${r.err}`);
}, 600_000); // about a minute quiet; over 300 s niced on the shared 2-core machine at load 15
afterAll(() => rmSync(root, { recursive: true, force: true }));

const explorer = (o: { port?: number; run?: number } = {}) =>
  startExplorer({ home: resolveHome({ YOTO_HOME: homeDir }, root), resolved: resolveExperiment('vae-beta-sweep', 'smoke'), ...o });

describe('exp explore: errors', () => {
  it('one line naming what is missing: no runs of the profile, a baseline as --run, a taken port', async () => {
    const code = async (argv: string[]) => cli(argv);
    const none = await code(['explore', 'vae-beta-sweep']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^error: no runs of 'vae-beta-sweep' in .*tracker\.db; run `pnpm exp run vae-beta-sweep` first$/);
    const baseline = await code(['explore', 'vae-beta-sweep', '--profile', 'smoke', '--run', '2']);
    expect(baseline.code).toBe(2);
    expect(baseline.err).toMatch(/^error: --run 2 is a baseline run; the explorer turns the λ of a YOTO run \(1\)$/);
    const missing = await code(['explore', 'vae-beta-sweep', '--profile', 'smoke', '--run', '99']);
    expect(missing.err).toMatch(/^error: --run 99 is not a run of 'vae-beta-sweep@smoke'; its runs: 1 \(yoto, finished\), 2 \(baseline, finished\), 3 \(baseline, finished\)$/);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(explorer({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is taken; choose another with --port`);
    } finally {
      blocker.close();
    }
  }, 120_000);
});

describe('the report’s β-sweep animation', () => {
  it('is an animated WebP with one frame per grid β, in the report with its λ and terms and the explore command', async () => {
    const dir = join(homeDir, 'reports', 'vae-beta-sweep@smoke');
    const file = join(dir, 'lambda-sweep.webp');
    const meta = await sharp(file, { animated: true }).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.pages).toBe(10); // the smoke grid: 10 log-spaced β
    expect(meta.loop).toBe(0);
    expect(meta.delay).toEqual(Array(10).fill(700));
    const frame = (page: number) => sharp(file, { page }).raw().toBuffer();
    const [first, last] = [await frame(0), await frame(9)];
    expect(first.length).toBe(last.length);
    expect(first.equals(last)).toBe(false); // β changes the pictures
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('src="data:image/webp;base64,');
    expect(html).toMatch(/β = 0\.125: reconstruction [\d.]+ nats, KL [\d.]+ nats; β = /);
    expect(html).toContain('pnpm exp explore');
  });
});

const chromium = chromiumMissing();
if (chromium) console.warn(`skipped: the VAE explorer in Chromium: ${chromium}`);

describe.skipIf(chromium !== null)(`exp explore in headless Chromium${chromium ? ` (skipped: ${chromium})` : ''}`, () => {
  it('loads offline, turns β live, moves the chart point, and a clicked baseline moves the slider', async () => {
    const server = await explorer({ port: 0 });
    await withExplorerPage(server, root, async (page) => {
      const sliders = page.locator('input[type=range]');
      expect(await sliders.count()).toBe(1); // the smoke space conditions on β alone

      const pixels = (id: string) => canvasPixels(page, id);
      const ring = () => ringTransform(page);
      const renders = () => renderCount(page);

      const before = { recon: await pixels('yoto-recon'), prior: await pixels('yoto-prior'), ring: await ring(), renders: await renders() };
      await sliders.first().fill('980'); // β near the top of its range
      await page.waitForFunction((n) => Number(document.body.dataset.renders) > n, before.renders);
      const after = { recon: await pixels('yoto-recon'), prior: await pixels('yoto-prior'), ring: await ring() };
      expect(after.recon.length).toBe(before.recon.length);
      expect(after.recon.some((v, i) => v !== before.recon[i])).toBe(true);
      expect(after.prior.some((v, i) => v !== before.prior[i])).toBe(true);
      expect(after.ring).not.toBe(before.ring);
      // The model's live estimate on the panel comes after the pictures, for the same β.
      await waitMeasured(page);
      const live = await page.locator('td[data-live]').allTextContents();
      expect(live.length).toBeGreaterThan(0);
      expect(live.every((v) => Number.isFinite(Number(v)))).toBe(true);

      // The page's reconstruction of the first digit equals the same checkpoint run in Node at the same β.
      const beta = Number(await page.evaluate(() => document.body.dataset.lambda));
      const node = await loadTrained<VaeModel>(checkpointPath(checkpointDir(resolveHome({ YOTO_HOME: homeDir }, root), 1)));
      const images = (node.task as unknown as { testImages(n: number): tf.Tensor4D }).testImages(1);
      const expected = reconstructAt(node.model, images, beta).dataSync();
      const scale = 3;
      const pad = 2;
      const width = (after.recon.length / 4) / (28 * scale + 2 * pad);
      let worst = 0;
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const shown = after.recon[((pad + y * scale) * width + pad + x * scale) * 4];
          worst = Math.max(worst, Math.abs(shown - Math.round(Math.min(1, Math.max(0, expected[y * 28 + x])) * 255)));
        }
      expect(worst).toBeLessThanOrEqual(1); // float32 differences between the browser's backend and Node's round one level at most
      node.model.params.dispose();
      images.dispose();

      // Clicking the β = 8 baseline on the chart sets the slider to its β and draws its own outputs.
      const diamond = await baselinePoint(page, 'baseline-beta=8/');
      expect(diamond).not.toBeNull();
      const n = await renders();
      await page.mouse.click(diamond!.x, diamond!.y);
      await page.waitForFunction((k) => Number(document.body.dataset.renders) > k && document.body.dataset.baseline === '3', n);
      expect(Number(await page.evaluate(() => document.body.dataset.lambda))).toBe(8);
      const position = Number(await sliders.first().inputValue());
      expect(position).toBe(Math.round(((Math.log(8) - Math.log(1 / 8)) / (Math.log(64) - Math.log(1 / 8))) * 1000));
      expect(new URL(page.url()).search).toBe('?kl=8'); // the address follows the baseline's β
      expect((await pixels('baseline-recon')).some((v) => v < 255)).toBe(true);
      expect(await page.locator('#metrics th').first().textContent()).toBe('held-out, recorded in the tracker at β = 8');

    });
  }, 300_000);

  it('keeps β in the address: opening it sets the slider and draws that β, a moved slider rewrites it, a bad parameter is one line', async () => {
    /** What the page shows at its current β: slider, printed value, β, pictures, ring, metrics (measured). */
    const seen = async (page: Page) => {
      await waitMeasured(page);
      return {
        position: await page.locator('input[type=range]').first().inputValue(),
        printed: await page.locator('#sliders output').first().textContent(),
        lambda: await page.evaluate(() => document.body.dataset.lambda),
        recon: await canvasPixels(page, 'yoto-recon'),
        prior: await canvasPixels(page, 'yoto-prior'),
        ring: await ringTransform(page),
        heading: await page.locator('#metrics th').first().textContent(),
        metrics: await page.locator('#metrics td[data-value]').evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset).map((d) => `${d.metric ?? `live ${d.live}`} = ${d.value}`)),
      };
    };
    const problems = (page: Page) => page.locator('#address-error div').allTextContents();
    // The smoke space: β log-scaled on 1/8…64, 1000 slider steps.
    const position = (beta: number) => String(Math.round(((Math.log(beta) - Math.log(1 / 8)) / Math.log(512)) * 1000));
    const server = await explorer({ port: 0 });
    try {
      let moved: Awaited<ReturnType<typeof seen>> | undefined;
      let address = '';
      await withPageAt(`${server.url}?backend=wasm&kl=8`, root, async (page) => {
        // β = 8 from the address: a grid point (the β = 8 baseline's), so the tracker's own values.
        const at8 = await seen(page);
        expect(await problems(page)).toEqual([]);
        expect([at8.position, at8.printed, at8.lambda]).toEqual([position(8), '8', '8']);
        expect(at8.heading).toBe('held-out, recorded in the tracker at β = 8');

        // Slider steps replace the address's β (one history entry for all of them); ?backend= stays.
        const entries = await page.evaluate(() => history.length);
        const slider = page.locator('input[type=range]').first();
        for (const p of ['700', '990', '980']) {
          const n = await renderCount(page);
          await slider.fill(p);
          await page.waitForFunction((k) => Number(document.body.dataset.renders) > k, n);
        }
        moved = await seen(page);
        address = page.url();
        expect(moved.position).toBe('980');
        expect(new URL(address).search).toBe(`?backend=wasm&kl=${moved.printed}`);
        expect(Number(moved.printed)).toBe(Number(moved.lambda)); // the page uses the value it shows
        expect(await page.evaluate(() => history.length)).toBe(entries);
        expect(moved.recon).not.toEqual(at8.recon);
      });

      // The address reopens the same β to the last bit: the same slider, pictures, ring and metrics.
      await withPageAt(address, root, async (page) => {
        const reopened = await seen(page);
        expect(await problems(page)).toEqual([]);
        expect(page.url()).toBe(address);
        for (const k of ['position', 'printed', 'lambda', 'ring', 'heading', 'metrics'] as const) expect(reopened[k], k).toEqual(moved![k]);
        expect(reopened.recon.every((v, i) => v === moved!.recon[i])).toBe(true);
        expect(reopened.prior.every((v, i) => v === moved!.prior[i])).toBe(true);
      });

      // Parameters it cannot use: one line each, and the page starts with β in the middle of its range.
      await withPageAt(`${server.url}?backend=wasm&kl=abc&gamma=2`, root, async (page) => {
        expect(await page.evaluate(() => [document.body.dataset.ready, document.body.dataset.failed])).toEqual(['true', undefined]);
        expect(await problems(page)).toEqual([
          'ignored ?kl=abc: not a number; β takes one number in 0.125…64 (log scale); its slider starts at 2.828',
          "ignored ?gamma=2: no slider is called 'gamma'; the page takes ?kl=, ?backend=",
        ]);
        const start = await seen(page);
        expect([start.position, start.lambda]).toEqual(['500', String(sliderValue(500, 1000, 1 / 8, 64, true))]);
        expect(page.url()).toBe(`${server.url}?backend=wasm&kl=abc&gamma=2`); // kept as typed, to correct
      });
    } finally {
      await server.close();
    }
  }, 300_000);
});
