/**
 * Which loss network, with or without the softmax transformation (Wang et al., CVPR 2021), gives a
 * style loss worth training on? Optimises the pixels of one held-out photo directly (Gatys et al.:
 * no transformer network, so the picture shows what each loss asks for and nothing else) at the
 * style-heavy setting, for MobileNet and Darknet, raw and softmax Gram matrices, and writes one
 * labelled strip: photo, painting, then one result per loss.
 *
 *   YOTO_DATA=… pnpm exec tsx research/style-loss-choice.ts [--steps 150] [--size 96] [--style 01_vangogh_starry_night.jpg] [--photo 3] [--out docs/images/style-loss-choice.png]
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { encodePng, initBackend } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { StyleTask, styleSettings, STYLE_TERMS } from '@yoto/tasks-style';

const { flags: values } = parseFlagsOrExit(
  'style-loss-choice',
  process.argv.slice(2),
  {
    steps: { type: 'integer', min: 1, default: 150 },
    size: { type: 'integer', min: 16, default: 96 },
    style: { type: 'string', default: '01_vangogh_starry_night.jpg' },
    out: { type: 'string', default: 'docs/images/style-loss-choice.png' },
    photo: { type: 'integer', min: 0, default: 3 },
  },
  'style-loss-choice.ts [--steps 150] [--size 96] [--style <painting file>] [--photo 3] [--out docs/images/style-loss-choice.png]',
);
const { steps, size } = values;
await initBackend();
const lambda = styleSettings().find((s) => s.name === 'style-heavy')!.lambda;
const frames: Float32Array[] = [];
let photo: tf.Tensor4D | null = null;
let painting: Float32Array | null = null;
for (const lossNetwork of ['mobilenet', 'darknet'])
  for (const softmax of [false, true]) {
    const task = new StyleTask({ style: values.style, imageSize: size, styleSize: 2 * size, trainLimit: 8, lossNetwork, softmax });
    await task.prepare();
    photo ??= await task.heldOutImages(1, values.photo);
    if (!painting) {
      const { loadResized } = await import('@yoto/tasks-style');
      const p = await loadResized(task.stylePath(), size, size);
      painting = Float32Array.from(p.data, (v) => v / 255);
    }
    const t0 = performance.now();
    const r = await task.optimisePixels(photo, lambda, { steps });
    console.log(`${lossNetwork} softmax=${softmax}: weighted loss ${r.loss.toFixed(3)} after ${steps} steps (${((performance.now() - t0) / Math.max(1, steps)).toFixed(0)} ms/step)`);
    frames.push(r.images.dataSync() as Float32Array);
    r.images.dispose();
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
