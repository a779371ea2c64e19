// Does each example's own λ reach its own instance norms and weigh its own loss, in training and at
// inference, with the same encoding? A YOTO model that barely answers its weights (issue 12) would
// look exactly like one whose examples got each other's (or the batch's mean) coefficients, so each
// link is checked against the same computation done one example at a time.
import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { defineSpace, evaluateAt, findDataset, initBackend, loadTrained, type LossContext, resolveDataRoot, train } from '@yoto/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './register.js';
import { LOSS_NETWORKS } from './loss-network/presets.js';
import { buildStyleModel, type StyleModel } from './model/transformer.js';
import { STYLE_TERMS, styleSettings, styleSpaceSpec } from './space.js';
import { stylizeAt } from './stylize-at.js';
import { StyleTask } from './task.js';

const TINY_NET = { widths: [4, 6, 8] as [number, number, number], residualBlocks: 1, conditioningHidden: 8, conditioningLinear: false };
const ROWS = [0.1, 1, 0, 0, 0, 0.55, 0.5, 0.5, 0.5, 0.5, 1, 0, 0.2, 0.9, 1];

/** Every conditioning parameter set to random values, so that each λ gives its own norms. */
function randomiseConditioning(m: StyleModel, seed: number): void {
  for (const [n, v] of m.params.entries()) if (n.startsWith('conditioning/')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed++));
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('conditioning plumbing: the network', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("each example of a batch gets its own condition's norms and output, as if it were alone", () => {
    const space = defineSpace(styleSpaceSpec());
    const m = buildStyleModel(TINY_NET, { conditioned: true, space, seed: 5 });
    randomiseConditioning(m, 11);
    const x = tf.randomUniform([3, 16, 16, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const cond = space.condition(ROWS, 3);
    const norms = m.norms(cond)!;
    const y = m.stylize(x, norms);
    for (let b = 0; b < 3; b++) {
      const alone = space.condition(ROWS.slice(5 * b, 5 * b + 5), 1);
      const own = m.norms(alone)!;
      for (const [layer, p] of Object.entries(own)) {
        expect(maxDiff(norms[layer].scale.slice([b, 0], [1, -1]), p.scale)).toBeLessThan(1e-6);
        expect(maxDiff(norms[layer].shift.slice([b, 0], [1, -1]), p.shift)).toBeLessThan(1e-6);
      }
      expect(maxDiff(y.slice([b, 0, 0, 0], [1, -1, -1, -1]), m.stylize(x.slice([b, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, own))).toBeLessThan(1e-5);
    }
    // Control: the three conditions do give different outputs for the same photo.
    const same = tf.concat([x.slice([0, 0, 0, 0], [1, -1, -1, -1]), x.slice([0, 0, 0, 0], [1, -1, -1, -1]), x.slice([0, 0, 0, 0], [1, -1, -1, -1])]) as tf.Tensor4D;
    const z = m.stylize(same, norms);
    expect(maxDiff(z.slice([0, 0, 0, 0], [1, -1, -1, -1]), z.slice([2, 0, 0, 0], [1, -1, -1, -1]))).toBeGreaterThan(1e-2);
    m.dispose();
  });
});

const weights = join(resolveDataRoot(), LOSS_NETWORKS.mobilenet.path, 'model.json');
const missing = [...(findDataset('style') ? [] : ["dataset 'style'"]), ...(existsSync(weights) ? [] : [`the MobileNet weights ${weights}`])];
const TINY = { imageSize: 32, trainLimit: 8, calibrationImages: 4, network: TINY_NET };

describe.skipIf(missing.length > 0)(`conditioning plumbing: trainer, task, evaluation${missing.length ? ` (skipped: ${missing.join(' and ')} not under the data root ${resolveDataRoot()})` : ''}`, () => {
  let task: StyleTask;
  let dir: string;
  beforeAll(async () => {
    await initBackend();
    task = new StyleTask(TINY);
    await task.prepare();
    dir = mkdtempSync(join(tmpdir(), 'style-plumbing-'));
  });
  afterAll(() => {
    task?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the task's per-example terms in a mixed-λ batch are each example's terms alone, under its own condition", () => {
    const space = task.defaultSpace();
    const m = task.buildModel({ space, conditioned: true, seed: 2 });
    randomiseConditioning(m, 21);
    const x = task.trainBatch({ step: 0, batchSize: 3, seed: 1 }).tensors.x as tf.Tensor4D;
    const ctx = (rows: number[], n: number): LossContext => ({ training: true, lambda: tf.tensor2d(rows, [n, 5]), condition: space.condition(rows, n) });
    const batch = task.lossTerms(m, { size: 3, tensors: { x } }, ctx(ROWS, 3));
    for (let b = 0; b < 3; b++) {
      const alone = task.lossTerms(m, { size: 1, tensors: { x: x.slice([b, 0, 0, 0], [1, -1, -1, -1]) } }, ctx(ROWS.slice(5 * b, 5 * b + 5), 1));
      for (const t of STYLE_TERMS) expect(batch[t].dataSync()[b]).toBeCloseTo(alone[t].dataSync()[0], 4);
    }
    // Control: the same photo under the three conditions gives three different content terms.
    const same = tf.tile(x.slice([0, 0, 0, 0], [1, -1, -1, -1]), [3, 1, 1, 1]);
    const c = task.lossTerms(m, { size: 3, tensors: { x: same } }, ctx(ROWS, 3)).content.dataSync();
    expect(Math.abs(c[0] - c[2])).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it("in training every example's condition is the space's encoding of the λ that weighs its loss", async () => {
    const seen: { lambda: Float32Array; condition: Float32Array }[] = [];
    const probe = Object.create(task) as StyleTask;
    probe.lossTerms = (model, batch, ctx) => {
      seen.push({ lambda: ctx.lambda.dataSync() as Float32Array, condition: ctx.condition!.dataSync() as Float32Array });
      return task.lossTerms(model, batch, ctx);
    };
    const space = task.defaultSpace();
    const r = await train(probe, { mode: 'yoto', space, steps: 3, batchSize: 4, seed: 1, optimizer: { lr: 1e-3 } });
    expect(seen).toHaveLength(3);
    for (const s of seen) {
      // Rows differ (each example draws its own λ) and each condition row is that row's encoding: 2·(λ − low)/(high − low) − 1.
      expect(new Set(Array.from({ length: 4 }, (_, b) => s.lambda.slice(5 * b, 5 * b + 5).join())).size).toBe(4);
      const expected = Array.from(s.lambda, (v, i) => (i % 5 === 0 ? (2 * (v - 0.1)) / 0.9 - 1 : 2 * v - 1));
      Array.from(s.condition).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    }
    r.model.params.dispose();
  });

  it('a checkpoint-loaded model encodes λ as training did: the same condition, norms, pictures and evaluation', async () => {
    const space = task.defaultSpace();
    const r = await train(task, { mode: 'yoto', space, steps: 2, batchSize: 2, seed: 4, optimizer: { lr: 1e-3 }, taskOptions: TINY as Record<string, unknown>, checkpoint: { dir, every: 2 } });
    const trained = r.model as StyleModel;
    randomiseConditioning(trained, 31);
    // The loaded copy gets the same (randomised) parameters, so any difference is the encoding's.
    const loaded = await loadTrained<StyleModel>(r.checkpointPath!, { task: 'style-transfer' });
    const byName = new Map(trained.params.entries());
    for (const [n, v] of loaded.model.params.entries()) v.assign(byName.get(n)!);
    const x = await task.heldOutImages(2);
    for (const s of styleSettings()) {
      const lambda = STYLE_TERMS.map((t) => s.lambda[t]);
      expect(maxDiff(loaded.model.space.condition(lambda, 1), space.condition(lambda, 1))).toBe(0);
      const trainingWay = tf.tidy(() => trained.stylize(x, trained.norms(space.condition(lambda, 2))));
      expect(maxDiff(stylizeAt(loaded.model, x, lambda), trainingWay)).toBe(0);
      const [a, b] = [await evaluateAt(task, trained, lambda, { limit: 2 }), await evaluateAt(loaded.task, loaded.model, lambda, { limit: 2 })];
      expect(b.weighted_loss).toBeCloseTo(a.weighted_loss, 5);
    }
    // Control: two settings' outputs differ, so equal outputs above are not a constant model's.
    const [bal, heavy] = [styleSettings()[0], styleSettings()[2]].map((s) => stylizeAt(loaded.model, x, STYLE_TERMS.map((t) => s.lambda[t])));
    expect(maxDiff(bal, heavy)).toBeGreaterThan(1e-2);
    loaded.model.dispose();
    (loaded.task as StyleTask).dispose();
    trained.dispose();
  });
});
