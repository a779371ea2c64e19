/**
 * Does a compression model trained on small crops behave the same on larger images? Trains one
 * fixed-λ baseline (the experiment's recipe: own quantization step, entropy and step factors 10,
 * Adam with cosine decay and warm-up) or loads a checkpoint, then measures with rounding (what the
 * codec decodes, 8-bit, clipped) on:
 *   - held-back BSDS500 crops of the training size, and of 256 px;
 *   - the centre 256² crops of the first Kodak images, whole, and cut into tiles of the training size.
 * Per set: PSNR of the mean MSE, the model's estimated bpp, and the mean signed error per channel
 * (decoded − original, 8-bit levels: a colour cast shows as a large signed mean). A gap between the
 * training-size and the 256-px numbers on the same pictures is a train/test mismatch of the
 * transforms (zero padding: on a 64-px crop every latent is near a border), not under-training.
 *
 *   YOTO_DATA=../shared/data pnpm exec tsx research/crop-size-gap.ts [--architecture factorized|hyperprior]
 *     [--lambda 0.018] [--steps 1000] [--crop 64] [--batch 8] [--n 32] [--m 48] [--lr 1e-3] [--warmup 100]
 *     [--images 4] [--seed 1] [--backend b] [--colour rgb|whitened] [--out dir] [--checkpoint file]
 *
 * --out keeps the trained checkpoint in dir; --checkpoint measures a saved one instead of training;
 * --colour whitened trains with the model's colour whitening (config colourTransform); --hyper-lr-scale
 * puts a learning-rate factor on the hyperprior's h_a and h_s.
 */
import * as tf from '@tensorflow/tfjs';
import { ConsoleSink, initBackend, loadTrained, train } from '@yoto/core';
import { parseFlagsOrExit } from '@yoto/flags';
import { BlsFactorizedTask, COLOUR_BASIS, codeAndDecode, codecContext, type CompressionModel, ENTROPY_SCOPE, STEP_SCOPE, TASK_NAME } from '@yoto/tasks-compression';

const { flags: f } = parseFlagsOrExit(
  'crop-size-gap',
  process.argv.slice(2),
  {
    architecture: { type: 'string', choices: ['factorized', 'hyperprior'], default: 'factorized' },
    lambda: { type: 'number', above: 0, default: 0.018 },
    steps: { type: 'integer', min: 1, default: 1000 },
    crop: { type: 'integer', min: 16, default: 64 },
    batch: { type: 'integer', min: 1, default: 8 },
    n: { type: 'integer', min: 1, default: 32 },
    m: { type: 'integer', min: 1, default: 48 },
    lr: { type: 'number', above: 0, default: 1e-3 },
    warmup: { type: 'integer', min: 0, default: 100 },
    images: { type: 'integer', min: 1, default: 4 },
    seed: { type: 'integer', default: 1 },
    backend: { type: 'string' },
    out: { type: 'string' },
    checkpoint: { type: 'string' },
    colour: { type: 'string', choices: ['rgb', 'whitened'], default: 'rgb' },
    'hyper-lr-scale': { type: 'number', above: 0, default: 1 },
  },
  'tsx research/crop-size-gap.ts [--architecture factorized|hyperprior] [--lambda x] [--steps n] [--crop px] … (see the header of this file)',
);
const { architecture, lambda, lr } = f;
const hyperScale = f['hyper-lr-scale'];
const backend = await initBackend(f.backend);
const t0 = performance.now();
const log = (line: string): void => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);

let model: CompressionModel;
let crop = f.crop;
if (f.checkpoint) {
  const loaded = await loadTrained<CompressionModel>(f.checkpoint, { task: TASK_NAME });
  model = loaded.model;
  crop = (loaded.taskOptions as { cropSize?: number }).cropSize ?? crop;
  log(`loaded ${f.checkpoint} (training crops ${crop} px)`);
} else {
  const colour = f.colour === 'whitened' ? { colourTransform: 'whitened' as const } : {};
  const taskOptions = { architecture, config: { N: f.n, M: f.m, quantizationStep: 'lambda' as const, ...colour }, cropSize: crop };
  const task = new BlsFactorizedTask(taskOptions);
  log(`backend ${backend.name}; training a ${architecture} baseline at λ = ${lambda}, ${f.steps} steps of ${f.batch} × ${crop}² crops`);
  const every = Math.max(1, Math.floor(f.steps / 4));
  const result = await train(
    task,
    {
      mode: 'fixed',
      lambda: { distortion: lambda, rate: 1 },
      steps: f.steps,
      batchSize: f.batch,
      seed: f.seed,
      optimizer: { lr },
      schedule: { kind: 'cosine', warmupSteps: f.warmup },
      learningRateScales: { [ENTROPY_SCOPE]: 10, [STEP_SCOPE]: 10, ...(hyperScale !== 1 ? { 'h_a/': hyperScale, 'h_s/': hyperScale } : {}) },
      logEvery: every,
      taskOptions,
      ...(f.out ? { checkpoint: { dir: f.out, every: Math.min(f.steps, 100) } } : {}),
    },
    { sink: new ConsoleSink(every, (l) => log(l)) },
  );
  model = result.model;
}

interface Stats {
  psnr: number;
  bpp: number;
  bias: number[];
  n: number;
  /** Per picture: the original's and the decoded picture's mean colour, 8-bit levels. */
  means: { orig: number[]; dec: number[] }[];
}

/** Rounded forward pass of [n, s, s, 3] pixels in [0, 1]: decoded 8-bit vs the original 8-bit. */
function measure(x: tf.Tensor4D): Stats {
  const n = x.shape[0];
  const condition = model.conditionFor(Array<number>(n).fill(lambda));
  const out = model.evalForward(x, condition);
  const [se, bias, origMeans, decMeans] = tf.tidy(() => {
    const orig = tf.round(tf.mul(x, 255));
    const dec = tf.clipByValue(tf.round(tf.mul(out.xHat, 255)), 0, 255);
    const e = tf.sub(dec, orig);
    return [tf.mean(tf.square(e)).dataSync()[0], Array.from(tf.mean(e, [0, 1, 2]).dataSync()), tf.mean(orig, [1, 2]).arraySync() as number[][], tf.mean(dec, [1, 2]).arraySync() as number[][]];
  });
  const bpp = tf.tidy(() => tf.sum(out.bits).dataSync()[0]) / (n * x.shape[1] * x.shape[2]);
  tf.dispose([out.xHat, out.bits, ...(condition ? [condition] : [])]);
  return { psnr: 10 * Math.log10((255 * 255) / se), bpp, bias, n, means: origMeans.map((o, i) => ({ orig: o, dec: decMeans[i] })) };
}

/**
 * Along each eigenvector of the training pixels' colour covariance (model/colour.ts: green–magenta,
 * blue–yellow, brightness), the least-squares slope of the decoded pictures' mean colour on the
 * originals' over the set: 1 keeps each picture's mean colour along that axis, 0 paints every
 * picture the same there (a cast that depends on the picture).
 */
function colourGain(s: Stats): number[] {
  return [0, 1, 2].map((k) => {
    const along = (rgb: number[]): number => rgb.reduce((a, v, i) => a + v * COLOUR_BASIS[i][k], 0);
    const o = s.means.map((m) => along(m.orig));
    const d = s.means.map((m) => along(m.dec));
    const mo = o.reduce((a, v) => a + v, 0) / o.length;
    const md = d.reduce((a, v) => a + v, 0) / d.length;
    const cov = o.reduce((a, v, i) => a + (v - mo) * (d[i] - md), 0);
    const vo = o.reduce((a, v) => a + (v - mo) ** 2, 0);
    return cov / vo;
  });
}

function report(name: string, s: Stats): void {
  const gain = s.n > 2 ? `, mean-colour gain green–magenta/blue–yellow/brightness ${colourGain(s).map((g) => g.toFixed(2)).join('/')}` : '';
  log(`${name.padEnd(34)} ${s.n} pictures: ${s.psnr.toFixed(2)} dB, ${s.bpp.toFixed(3)} bpp (estimated), mean error R/G/B ${s.bias.map((b) => b.toFixed(1)).join('/')}${gain}`);
}

/** Mean of several Stats weighted by pictures (MSE averaged, not PSNR). */
function pool(list: Stats[]): Stats {
  const n = list.reduce((a, s) => a + s.n, 0);
  const mse = list.reduce((a, s) => a + (s.n * 255 * 255) / 10 ** (s.psnr / 10), 0) / n;
  return {
    psnr: 10 * Math.log10((255 * 255) / mse),
    bpp: list.reduce((a, s) => a + s.n * s.bpp, 0) / n,
    bias: [0, 1, 2].map((c) => list.reduce((a, s) => a + s.n * s.bias[c], 0) / n),
    n,
    means: list.flatMap((s) => s.means),
  };
}

function heldBack(size: number, pictures: number): Stats {
  const task = new BlsFactorizedTask({ cropSize: size });
  const list: Stats[] = [];
  for (let i = 0; i * 8 < pictures; i++) {
    const batch = task.trainBatch({ step: 900_000 + i, batchSize: Math.min(8, pictures - i * 8), seed: 11 });
    list.push(measure(batch.tensors.x as tf.Tensor4D));
    batch.tensors.x.dispose();
  }
  return pool(list);
}

report(`BSDS held-back crops ${crop} px`, heldBack(crop, 64));
report('BSDS held-back crops 256 px', heldBack(256, 8));

const kodakTask = new BlsFactorizedTask({ evalCrop: 256 });
const kodak = await kodakTask.evaluationImages(f.images);
const whole: Stats[] = [];
const tiled: Stats[] = [];
for (const img of kodak) {
  const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]), 255) as tf.Tensor4D);
  whole.push(measure(x));
  // Tiles of the training size, row-major: [1, H, W, 3] → [H/s · W/s, s, s, 3].
  const tiles = tf.tidy(() => {
    const s = crop;
    const r = tf.reshape(x, [img.height / s, s, img.width / s, s, 3]);
    return tf.reshape(tf.transpose(r, [0, 2, 1, 3, 4]), [-1, s, s, 3]) as tf.Tensor4D;
  });
  tiled.push(measure(tiles));
  tf.dispose([x, tiles]);
}
report('Kodak 256² centre crops', pool(whole));
// The doc's measure (docs/compression-recipe.md): real files, PSNR of the mean MSE, loss λ·255²·MSE + bpp.
const ctx = codecContext(model);
const files = kodak.map((img) => {
  const r = codeAndDecode(model, img, lambda, ctx);
  const bias = [0, 1, 2].map((c) => {
    let s = 0;
    for (let i = c; i < img.data.length; i += 3) s += r.decoded.data[i] - img.data[i];
    return s / (img.data.length / 3);
  });
  return { bpp: r.encoded.bpp, mse: r.mse, bias };
});
const fileBpp = files.reduce((a, r) => a + r.bpp, 0) / files.length;
const fileMse = files.reduce((a, r) => a + r.mse, 0) / files.length;
log(
  `Kodak 256² crops, real files: ${fileBpp.toFixed(3)} bpp, ${(10 * Math.log10((255 * 255) / fileMse)).toFixed(2)} dB, loss ${(lambda * fileMse + fileBpp).toFixed(3)}, ` +
    `mean error R/G/B ${[0, 1, 2].map((c) => (files.reduce((a, r) => a + r.bias[c], 0) / files.length).toFixed(1)).join('/')}; per image ${files.map((r) => r.bias.map((b) => b.toFixed(0)).join('/')).join(', ')}`,
);
report(`Kodak 256² crops as ${crop}-px tiles`, pool(tiled));
model.dispose();
