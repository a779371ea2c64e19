// The style page in real headless Chromium: a smoke-size style-adjustable run is trained through the
// CLI; the page stylizes a held-out photo at the five sliders' weights, and its live estimate (the
// task's evaluation run in the browser with the loss network read from bytes) is checked against the
// tracker's held-out values at a grid point, its picture against the same checkpoint run in Node.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataset, initBackend, loadTrained, resolveDataRoot } from '@yoto/core';
import { checkpointPath } from '@yoto/core/checkpoint-path';
import { LOSS_NETWORKS, loadResized, type StyleModel, type StyleTask, stylizeAt, toTensor } from '@yoto/tasks-style';
import { openTracker } from '@yoto/tracker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveExperiment } from '../experiments/registry.js';
import { runCli } from '../testing/cli.js';
import { checkpointDir, resolveHome } from '../runner/home.js';
import { startExplorer } from './explorer.js';
import { baselinePoint, canvasPixels, chromiumMissing, renderCount, ringTransform, waitMeasured, withExplorerPage } from './testing/browser.js';

const weights = join(resolveDataRoot(), LOSS_NETWORKS.mobilenet.path, 'model.json');
const missing = [...(findDataset('style') ? [] : ["dataset 'style'"]), ...(existsSync(weights) ? [] : [`the MobileNet weights ${weights}`])];
const why = chromiumMissing() ?? (missing.length ? `needs ${missing.join(' and ')} under the data root (YOTO_DATA)` : null);
if (why) console.warn(`skipped: style explorer in Chromium: ${why}`);

const TERMS = ['content', 'style1', 'style2', 'style3', 'style4'];
/** The smoke profile's balanced setting: every slider at the middle of its range, where the page starts. */
const BALANCED = { content: 0.55, style1: 0.5, style2: 0.5, style3: 0.5, style4: 0.5 };
const RECORD = 'style-adjustable@smoke';
/**
 * The smoke profile cut further (8 YOTO steps, two baselines of 4, two evaluation photos, one picture
 * photo, no loss-choice picture): far from trained, but the weights change the picture, and the
 * baselines are models of their own. The explorer is given the same config (its runs, and the
 * evaluation's photos, are the config's).
 */
// Uniform content weights: every slider is linear, so the page's starting point (each slider's middle)
// is the balanced setting, a grid point the tracker has values for. The log-scaled slider of the
// profile's default (log-uniform content) is the compression explorer's test's λ slider.
const SETS = ['yoto.steps=8', 'baselines.steps=4', 'data.evalImages=2', 'pictures.images=1', 'pictures.lossChoiceSteps=0', 'space.contentSampling=uniform'];
/**
 * The live estimate against the tracker's value at a grid point. It is the same evaluation (the
 * task's evaluate, through core's evaluateAt) on the same photo bytes (decoded by the Node task's
 * code on the server), with normalisers calibrated by the same code on the same photos; the browser's
 * wasm backend and Node's (the smoke run trains with --backend wasm) agreed to the last bit here. A
 * different XNNPACK build or thread count may reorder float32 sums: about 1e-6 relative per
 * reduction, far below 1e-4; a wrong photo, normaliser or weighting moves a term by percents.
 */
const TOLERANCE = 1e-4;
/** The aria label of the style-heavy baseline's diamond on the style report's chart (its tooltip fields). */
const STYLE_HEAVY_KEY = 'style weights of: style-heavy; kind: baseline';

let root: string;
let homeDir: string;

describe.skipIf(why !== null)(`exp explore style-adjustable in headless Chromium${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'yoto-explore-style-'));
    homeDir = join(root, 'home');
    const r = await runCli(['run', 'style-adjustable', '--profile', 'smoke', '--workers', '1', '--backend', 'wasm', ...SETS.flatMap((s) => ['--set', s])], { env: { ...process.env, YOTO_HOME: homeDir }, cwd: root });
    if (r.code !== 0) throw new Error(`the smoke run failed (${r.code}): ${r.err}`);
  }, 900_000); // about a minute quiet; about 9 minutes niced on the shared 2-core machine at load 12–18
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stylizes a held-out photo at five weights as Node does, estimates the held-out terms as the tracker recorded them, and a baseline sets the sliders', async () => {
    const home = resolveHome({ YOTO_HOME: homeDir }, root);
    const server = await startExplorer({ home, resolved: resolveExperiment('style-adjustable', 'smoke', SETS), port: 0 });
    await withExplorerPage(server, root, async (page) => {
      const sliders = page.locator('input[type=range]');
      expect(await sliders.count()).toBe(5);
      expect(await page.locator('label', { hasText: 'linear' }).count()).toBe(5);
      // The 22 held-out photos and the dropped-image entry; the first is shown at 256×256.
      expect(await page.locator('#image-picker option').count()).toBe(23);
      expect(await page.locator('#original').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([256, 256]);
      expect(await page.locator('#estimate-about').textContent()).toContain("the task's own held-out evaluation at the sliders' weights, run in this browser");

      // The page starts at the balanced setting, a grid point: the tracker's values and the live estimate.
      await waitMeasured(page);
      expect(JSON.parse((await page.evaluate(() => document.body.dataset.vector))!)).toEqual(TERMS.map((t) => BALANCED[t as keyof typeof BALANCED]));
      expect(await page.locator('#metrics th').first().textContent()).toBe('held-out, recorded in the tracker at (content 0.55, style1 0.5, style2 0.5, style3 0.5, style4 0.5)');
      const cell = async (attr: string, metric: string) => Number(await page.locator(`td[${attr}="${metric}"]`).getAttribute('data-value'));
      const tracker = openTracker(home.db, { create: false });
      const recorded = Object.fromEntries(
        tracker
          .evaluationPoints(RECORD)
          .filter((e) => e.kind === 'yoto' && TERMS.every((t) => e.lambda[t] === BALANCED[t as keyof typeof BALANCED]))
          .map((e) => [e.metric, e.value]),
      );
      tracker.close();
      for (const m of ['weighted_loss', 'content', 'style', 'style1', 'style2', 'style3', 'style4']) {
        expect(await cell('data-metric', m)).toBe(recorded[m]);
        // The same evaluation (photos decoded by the same code, the same weights and normalisers'
        // recipe); only float32 rounding differs between the browser's wasm and Node's backend.
        const live = await cell('data-live', m);
        expect(Math.abs(live - recorded[m]) / Math.abs(recorded[m]), `${m}: live ${live}, tracker ${recorded[m]}`).toBeLessThan(TOLERANCE);
      }

      // The page's picture is the checkpoint's output in Node on the same photo at the same weights.
      const before = { pixels: await canvasPixels(page, 'yoto-stylized'), ring: await ringTransform(page) };
      await initBackend('wasm');
      const node = await loadTrained<StyleModel>(checkpointPath(checkpointDir(home, 1)));
      const photo = await loadResized((node.task as StyleTask).contentFiles().heldOut[0], 256, 256);
      const x = toTensor([photo]);
      const y = stylizeAt(node.model, x, TERMS.map((t) => BALANCED[t as keyof typeof BALANCED]));
      const expected = await y.data();
      let worst = 0;
      for (let i = 0, j = 0; i < expected.length; i += 3, j += 4)
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(before.pixels[j + c] - Math.round(Math.min(1, Math.max(0, expected[i + c])) * 255)));
      expect(worst).toBeLessThanOrEqual(1); // float32 differences between the backends round a level at most
      x.dispose();
      y.dispose();
      node.model.params.dispose();

      // Off the grid (more content): other pixels, no tracker values, the ring at the model's own estimate.
      const n = await renderCount(page);
      await sliders.first().fill('950');
      await page.waitForFunction((k) => Number(document.body.dataset.renders) > k, n);
      await waitMeasured(page);
      const after = { pixels: await canvasPixels(page, 'yoto-stylized'), ring: await ringTransform(page) };
      expect(after.pixels.some((v, i) => v !== before.pixels[i])).toBe(true);
      expect(after.ring).not.toBe(before.ring);
      expect(await page.locator('#metrics th').first().textContent()).toMatch(/^no held-out grid point at \(content 0\.955, style1 0\.5, /);
      // The address names the whole setting, one parameter per weight.
      expect(new URL(page.url()).search).toBe('?content=0.955&style1=0.5&style2=0.5&style3=0.5&style4=0.5');
      expect(await cell('data-live', 'content')).toBeGreaterThan(0);

      // Clicking the style-heavy baseline's diamond sets all five sliders to its setting and draws its own output.
      const diamond = await baselinePoint(page, STYLE_HEAVY_KEY);
      expect(diamond).not.toBeNull();
      const b = await renderCount(page);
      await page.mouse.click(diamond!.x, diamond!.y);
      await page.waitForFunction((k) => Number(document.body.dataset.renders) > k && document.body.dataset.baseline !== undefined, b);
      // style-heavy: content at a quarter of its range, every style weight at the top.
      expect(JSON.parse((await page.evaluate(() => document.body.dataset.vector))!)).toEqual([0.325, 1, 1, 1, 1]);
      expect(await Promise.all([0, 1, 2, 3, 4].map(async (k) => Number(await sliders.nth(k).inputValue())))).toEqual([250, 1000, 1000, 1000, 1000]);
      expect(new URL(page.url()).search).toBe('?content=0.325&style1=1&style2=1&style3=1&style4=1');
      const baseline = await canvasPixels(page, 'baseline-stylized');
      expect(baseline.length).toBe(256 * 256 * 4);
      expect(baseline.some((v, i) => v !== after.pixels[i])).toBe(true);
      expect(await page.locator('#baseline-stylized').evaluate((c) => c.previousElementSibling!.textContent)).toMatch(/^baseline run \d+ \(style-heavy\): its own stylization$/);
      expect(await page.locator('#metrics th').first().textContent()).toBe('held-out, recorded in the tracker at (content 0.325, style1 1, style2 1, style3 1, style4 1)');

      // A photo of the user's own (opened, as a drop does): scaled to cover 256×256, then stylized.
      const own = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
      const d = await renderCount(page);
      const photoOutput = await canvasPixels(page, 'yoto-stylized');
      await page.locator('#image-file').setInputFiles({ name: 'own.png', mimeType: 'image/png', buffer: own });
      await page.waitForFunction((k) => Number(document.body.dataset.renders) > k, d);
      expect(await page.locator('#original').evaluate((c) => c.previousElementSibling!.textContent)).toBe('input: dropped, 256×256');
      const shown = await canvasPixels(page, 'original');
      expect([shown[0], shown[1], shown[2]]).toEqual([200, 40, 40]);
      expect((await canvasPixels(page, 'yoto-stylized')).some((v, i) => v !== photoOutput[i])).toBe(true);
    });
  }, 600_000);
});
