/**
 * Which loss network, with or without the softmax transformation (Wang et al., CVPR 2021), gives a
 * style loss worth training on? Optimises the pixels of one held-out photo directly (Gatys et al.:
 * no transformer network, so the picture shows what each loss asks for and nothing else) at the
 * style-heavy setting, for MobileNet and Darknet, raw and softmax Gram matrices, and writes one
 * labelled strip: photo, painting, then one result per loss.
 *
 *   YOTO_DATA=… pnpm exec tsx packages/tasks-style/scripts/loss-choice.ts [--steps 150] [--size 96] [--style 01_vangogh_starry_night.jpg] [--out docs/images/style-loss-choice.png]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { encodePng, initBackend } from '@yoto/core';
import { StyleTask, styleSettings, STYLE_TERMS } from '../src/index.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '150' }, size: { type: 'string', default: '96' }, style: { type: 'string', default: '01_vangogh_starry_night.jpg' }, out: { type: 'string', default: 'docs/images/style-loss-choice.png' }, photo: { type: 'string', default: '3' } } });
const steps = Number(values.steps);
const size = Number(values.size);
await initBackend();
const lambda = styleSettings().find((s) => s.name === 'style-heavy')!.lambda;
const frames: Float32Array[] = [];
let photo: tf.Tensor4D | null = null;
let painting: Float32Array | null = null;
for (const lossNetwork of ['mobilenet', 'darknet'])
  for (const softmax of [false, true]) {
    const task = new StyleTask({ style: values.style, imageSize: size, styleSize: 2 * size, trainLimit: 8, lossNetwork, softmax });
    await task.prepare();
    photo ??= await task.heldOutImages(1, Number(values.photo));
    if (!painting) {
      const { loadResized } = await import('../src/index.js');
      const p = await loadResized(task.stylePath(), size, size);
      painting = Float32Array.from(p.data, (v) => v / 255);
    }
    const loss = (task as unknown as { loss: { terms(y: tf.Tensor4D, x: tf.Tensor4D): Record<string, tf.Tensor1D> } }).loss;
    // Pixels through a sigmoid so they stay in [0, 1]; start from the photo.
    const logit = tf.variable(tf.tidy(() => tf.log(tf.div(tf.clipByValue(photo!, 0.02, 0.98), tf.sub(1, tf.clipByValue(photo!, 0.02, 0.98))))));
    const opt = tf.train.adam(0.05);
    const t0 = performance.now();
    let last = 0;
    for (let i = 0; i < steps; i++) {
      const v = opt.minimize(() => {
        const t = loss.terms(tf.sigmoid(logit) as tf.Tensor4D, photo!);
        return tf.addN(STYLE_TERMS.map((k) => tf.mul(tf.mean(t[k]), lambda[k]))) as tf.Scalar;
      }, true);
      last = v!.dataSync()[0];
      v!.dispose();
    }
    console.log(`${lossNetwork} softmax=${softmax}: weighted loss ${last.toFixed(3)} after ${steps} steps (${((performance.now() - t0) / steps).toFixed(0)} ms/step)`);
    frames.push(tf.tidy(() => tf.sigmoid(logit)).dataSync() as Float32Array);
    logit.dispose();
    task.dispose();
  }
const all = [photo!.dataSync() as Float32Array, painting!, ...frames];
const gap = 4;
const W = all.length * size + (all.length - 1) * gap;
const rgb = new Uint8Array(W * size * 3).fill(255);
all.forEach((f, k) => {
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size * 3; c++) rgb[(r * W + k * (size + gap)) * 3 + c] = Math.round(Math.min(1, Math.max(0, f[r * size * 3 + c])) * 255);
});
writeFileSync(values.out!, await encodePng(rgb, W, size, 3));
console.log(`wrote ${values.out}: photo, painting, mobilenet raw, mobilenet softmax, darknet raw, darknet softmax`);
