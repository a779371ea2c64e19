// `exp codec` on a tiny compression model trained here for a few steps on synthetic images (no
// dataset needed): the file round trip, the λ search, and every kind of error with its exit code.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeImageU8, encodePng, initBackend, loadModel, readCheckpoint, Rng, saveCheckpoint, train } from '@yoto/core';
import { BlsFactorizedTask, compressAt, readBitstream, toImage, toPaddedTensor, writeBitstream, type BlsTaskOptions, type ImageU8 } from '@yoto/tasks-compression';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-codec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = { N: 8, M: 16, densityKnots: 4, conditioningHidden: 8 };
let options: BlsTaskOptions;
let yotoCkpt: string;
let baselineCkpt: string;
let hyperOptions: BlsTaskOptions;
let hyperCkpt: string;
let image: ImageU8;
const input = join(dir, 'in.png');

/** A smooth colour image with texture, of a size that needs padding (not a multiple of 16). */
function synthetic(width: number, height: number, seed: number): ImageU8 {
  const rng = new Rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + 70 * Math.sin(0.11 * x + 0.07 * y + c) + (rng.uniform() - 0.5) * 20)));
  return { width, height, data };
}

const cli = (...argv: string[]) => runCli(argv, { env: { ...process.env, INIT_CWD: dir }, cwd: dir });

beforeAll(async () => {
  await initBackend();
  mkdirSync(join(dir, 'train'));
  for (let i = 0; i < 2; i++) {
    const img = synthetic(48, 48, i + 1);
    writeFileSync(join(dir, 'train', `t${i}.png`), await encodePng(img.data, img.width, img.height, 3));
  }
  image = synthetic(50, 37, 7);
  writeFileSync(input, await encodePng(image.data, image.width, image.height, 3));
  options = { config: TINY, cropSize: 32, trainFolders: [join(dir, 'train')], evalFolder: join(dir, 'train') };
  const task = new BlsFactorizedTask(options);
  const common = { steps: 3, batchSize: 2, seed: 1, optimizer: { lr: 1e-3 }, taskOptions: options as Record<string, unknown> };
  const yoto = await train(task, { ...common, mode: 'yoto', checkpoint: { dir: join(dir, 'yoto'), every: 3 } });
  yoto.model.params.dispose();
  yotoCkpt = yoto.checkpointPath!;
  const base = await train(task, { ...common, mode: 'fixed', lambda: { distortion: 0.02, rate: 1 }, checkpoint: { dir: join(dir, 'base'), every: 3 } });
  base.model.params.dispose();
  baselineCkpt = base.checkpointPath!;
  // A scale-hyperprior YOTO model, smoke-trained the same way: loadTrained rebuilds it from the task options it stores.
  hyperOptions = { ...options, architecture: 'hyperprior' };
  const hyper = await train(new BlsFactorizedTask(hyperOptions), { ...common, taskOptions: hyperOptions as Record<string, unknown>, mode: 'yoto', checkpoint: { dir: join(dir, 'hyper'), every: 3 } });
  hyper.model.params.dispose();
  hyperCkpt = hyper.checkpointPath!;
  // A bitstream the tests that read one start from, written by the library rather than by a test.
  const loaded = await loadModel(new BlsFactorizedTask(options), yotoCkpt);
  try {
    writeFileSync(join(dir, 'ref.yoto'), compressAt(loaded.model, image, 0.02).bytes);
  } finally {
    loaded.model.params.dispose();
  }
});

/**
 * Compresses `source` through the CLI with `checkpoint` at λ, decompresses the file, and checks the
 * file against the library's bitstream of `pixels` and the PNG against the model's rounded
 * reconstruction (the same model loaded independently).
 */
async function expectRoundTrip(checkpoint: string, lambda: number, source: string, pixels: ImageU8, stem: string, taskOptions = options): Promise<void> {
  const c = await cli('codec', 'compress', '--model', checkpoint, '--lambda', String(lambda), source, `${stem}.yoto`, '--json');
  expect(c.code, c.err).toBe(0);
  const summary = JSON.parse(c.out.split('\n').at(-1)!) as { bytes: number; bpp: number; lambda: number; width: number; height: number };
  const { width, height } = pixels;
  expect(summary).toMatchObject({ lambda, width, height });
  const bytes = new Uint8Array(readFileSync(join(dir, `${stem}.yoto`)));
  expect(summary.bytes).toBe(bytes.length);
  expect(summary.bpp).toBeCloseTo((8 * bytes.length) / (width * height), 12);

  const d = await cli('codec', 'decompress', '--model', checkpoint, `${stem}.yoto`, `${stem}.png`);
  expect(d.code, d.err).toBe(0);
  expect(d.out).toContain(`${width}×${height}, λ = ${lambda}`);
  const decoded = await decodeImageU8(join(dir, `${stem}.png`));

  const loaded = await loadModel(new BlsFactorizedTask(taskOptions), checkpoint);
  try {
    expect(bytes).toEqual(compressAt(loaded.model, pixels, lambda).bytes);
    const x = toPaddedTensor(pixels);
    const q = loaded.model.quantizedForward(x, lambda);
    const expected = toImage(q.xHat, width, height);
    tf.dispose([x, ...Object.values(q)]);
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(Buffer.from(decoded.data).equals(Buffer.from(expected.data))).toBe(true);
  } finally {
    loaded.model.params.dispose();
  }
}

describe('pnpm exp codec', () => {
  it('compress → decompress: the file is the model’s bitstream and decodes to its quantized reconstruction', async () => {
    await expectRoundTrip(yotoCkpt, 0.02, 'in.png', image, 'out');
  });

  it('a fixed-λ baseline compresses and decompresses at its own λ', async () => {
    await expectRoundTrip(baselineCkpt, 0.02, 'in.png', image, 'base');
  });

  it('a scale-hyperprior checkpoint round-trips too (two streams), and a factorized model refuses its file by name', async () => {
    await expectRoundTrip(hyperCkpt, 0.05, 'in.png', image, 'hyper', hyperOptions);
    const bytes = new Uint8Array(readFileSync(join(dir, 'hyper.yoto')));
    const { header, side } = readBitstream(bytes);
    expect([header.version, header.architecture, header.hyperChannels]).toEqual([2, 'hyperprior', TINY.N]);
    expect(side.length).toBeGreaterThan(0);
    const wrong = await cli('codec', 'decompress', '--model', yotoCkpt, 'hyper.yoto', 'wrong.png');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/hyper\.yoto: cannot decode \(model-mismatch\): bitstream was coded by a scale-hyperprior model; this is a factorized-prior model/);
    expect(wrong.err.split('\n').filter((l) => l.trim() !== '').length).toBe(1);
  });

  it('reads JPEG input: the bitstream is that of the JPEG’s decoded pixels', async () => {
    const jpeg = join(dir, 'in.jpg');
    await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 80 }).toFile(jpeg);
    // The pixels as a second decoder (sharp, directly) reads them; JPEG is lossy, so they differ from in.png's.
    const raw = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([raw.info.width, raw.info.height, raw.info.channels]).toEqual([50, 37, 3]);
    const pixels: ImageU8 = { width: 50, height: 37, data: new Uint8Array(raw.data) };
    expect(Buffer.from(pixels.data).equals(Buffer.from(image.data))).toBe(false);
    await expectRoundTrip(yotoCkpt, 0.02, 'in.jpg', pixels, 'from-jpeg');
  });

  it('--target-bpp searches λ on the single model and reports the λ found and the bpp reached', async () => {
    const generous = await cli('codec', 'compress', '--model', yotoCkpt, '--target-bpp', '1000', 'in.png', 'big.yoto', '--json');
    expect(generous.code, generous.err).toBe(0);
    // Any λ fits: the best quality, the top of the range, is chosen.
    expect(generous.out).toMatch(/^target 1000 bpp: λ = 0\.18 found in 1 probes, [\d.]+ bpp reached/);
    expect(JSON.parse(generous.out.split('\n').at(-1)!)).toMatchObject({ lambda: 0.18, reached: true, targetBpp: 1000 });
    const tiny = await cli('codec', 'compress', '--model', yotoCkpt, '--target-bpp', '0.0001', 'in.png', 'small.yoto');
    expect(tiny.code).toBe(0);
    expect(tiny.out).toContain('target 0.0001 bpp: not reachable with this model; its lowest λ = 0.0018 gives');
    expect(tiny.err).toContain('is larger than the 0.0001 bpp asked for');
  });

  it('a corrupted, truncated or foreign file is a data error (exit 2) naming the file', async () => {
    const good = readFileSync(join(dir, 'ref.yoto'));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0x5a;
    writeFileSync(join(dir, 'flipped.yoto'), flipped);
    writeFileSync(join(dir, 'short.yoto'), good.subarray(0, good.length - 5));
    // A file from a newer encoder: the version byte says 3.
    const newer = Buffer.from(good);
    newer[4] = 3;
    writeFileSync(join(dir, 'newer.yoto'), newer);
    const cases: [string, RegExp][] = [
      ['newer.yoto', /^error: .*newer\.yoto: cannot decode \(unsupported-version\): bitstream format version 3 is not supported: this decoder reads versions 1 and 2 \(the file was written by a newer encoder\)$/],
      ['flipped.yoto', /flipped\.yoto: cannot decode \(corrupt-payload\)/],
      ['short.yoto', /short\.yoto: cannot decode \(truncated\)/],
      ['in.png', /in\.png: cannot decode \(not-yoto\): not a YOTO bitstream/],
    ];
    for (const [file, message] of cases) {
      const r = await cli('codec', 'decompress', '--model', yotoCkpt, file, 'x.png');
      expect(r.code, file).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toContain('    at '); // a message, not a stack trace
    }
    // A bitstream made by another model.
    const other = await cli('codec', 'decompress', '--model', baselineCkpt, 'ref.yoto', 'x.png');
    expect(other.code).toBe(2);
    expect(other.err).toContain('ref.yoto: cannot decode (model-mismatch)');
    // Not a checkpoint, and not an image.
    const badModel = await cli('codec', 'decompress', '--model', 'in.png', 'ref.yoto', 'x.png');
    expect(badModel.code).toBe(2);
    expect(badModel.err).toContain("is not a YOTO checkpoint (it does not start with 'YOTOCKPT')");
    const badImage = await cli('codec', 'compress', '--model', yotoCkpt, '--lambda', '0.02', 'ref.yoto', 'y.yoto');
    expect(badImage.code).toBe(2);
    expect(badImage.err).toContain(`cannot decode image ${join(dir, 'ref.yoto')}`);
  });

  it('refuses a header with other than 3 image channels, naming the file (exit 2)', async () => {
    // A well-formed file (valid checksums, this model's fingerprint) that announces one channel.
    const { header, payload } = readBitstream(new Uint8Array(readFileSync(join(dir, 'ref.yoto'))));
    for (const channels of [1, 4]) {
      writeFileSync(join(dir, `c${channels}.yoto`), writeBitstream({ ...header, channels }, payload));
      const r = await cli('codec', 'decompress', '--model', yotoCkpt, `c${channels}.yoto`, 'x.png');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`c${channels}.yoto: cannot decode (invalid-header): bitstream has ${channels} image channels; only RGB (3) is supported`);
      expect(r.err).not.toContain('    at ');
    }
  });

  it("refuses another task's checkpoint, naming the task it holds (exit 2, as for any unusable checkpoint)", async () => {
    const ckpt = await readCheckpoint(yotoCkpt);
    const vae = join(dir, 'vae.yotockpt');
    await saveCheckpoint(vae, { ...ckpt, task: 'vae-mnist' });
    for (const argv of [
      ['compress', '--model', vae, '--lambda', '0.02', 'in.png', 'v.yoto'],
      ['decompress', '--model', vae, 'ref.yoto', 'v.png'],
    ]) {
      const r = await cli('codec', ...argv);
      expect(r.code, argv[0]).toBe(2);
      expect(r.err).toBe(`error: --model: checkpoint ${vae}: was written by task 'vae-mnist'; a 'bls-factorized' model is needed here`);
    }
    expect(existsSync(join(dir, 'v.yoto')) || existsSync(join(dir, 'v.png'))).toBe(false);
  });

  it('usage errors exit with code 2 and say what is expected', async () => {
    const cases: [string[], string][] = [
      [['codec', 'compress', 'in.png', 'o.yoto', '--lambda', '0.02'], 'codec compress needs --model <checkpoint>'],
      [['codec', 'compress', '--model', yotoCkpt, 'in.png', 'o.yoto'], 'codec compress needs --lambda x or --target-bpp b'],
      [['codec', 'compress', '--model', yotoCkpt, '--lambda', '0.02', '--target-bpp', '1', 'in.png', 'o.yoto'], 'takes --lambda or --target-bpp, not both'],
      [['codec', 'compress', '--model', yotoCkpt, '--lambda', 'lots', 'in.png', 'o.yoto'], "--lambda expects a number > 0, got 'lots'"],
      [['codec', 'compress', '--model', yotoCkpt, '--lambda', '0.5', 'in.png', 'o.yoto'], '--lambda 0.5 is outside what this model was trained for: λ in [0.0018, 0.18]'],
      [['codec', 'compress', '--model', baselineCkpt, '--target-bpp', '0.5', 'in.png', 'o.yoto'], '--target-bpp needs a YOTO (λ-conditioned) model'],
      [['codec', 'compress', '--model', baselineCkpt, '--lambda', '0.1', 'in.png', 'o.yoto'], 'is a fixed-λ baseline trained for λ = 0.02; use --lambda 0.02'],
      [['codec', 'compress', '--model', yotoCkpt, '--lambda', '0.02', 'missing.png', 'o.yoto'], `input file ${join(dir, 'missing.png')} does not exist`],
      [['codec', 'compress', '--model', 'nope.ckpt', '--lambda', '0.02', 'in.png', 'o.yoto'], `--model: checkpoint ${join(dir, 'nope.ckpt')} does not exist`],
      [['codec', 'decompress', '--model', yotoCkpt, 'ref.yoto', 'out.jpg'], 'decompress writes PNG'],
      [['codec', 'decompress', '--model', yotoCkpt, '--lambda', '0.02', 'ref.yoto', 'o.png'], 'codec decompress takes no --lambda'],
      [['codec', 'compress', '--model', yotoCkpt, '--lambda', '0.02', 'train', 'o.yoto'], `input file ${join(dir, 'train')} is not a file`],
      [['codec', 'decompress', '--model', yotoCkpt, 'train', 'o.png'], `input file ${join(dir, 'train')} is not a file`],
      [['codec', 'compress', '--model', join(dir, 'yoto'), '--lambda', '0.02', 'in.png', 'o.yoto'], `--model: checkpoint ${join(dir, 'yoto')} is not a file`],
      [['codec', 'squash', '--model', yotoCkpt, 'in.png', 'o.yoto'], "unknown codec action 'squash'; actions: compress, decompress"],
      [['codec', 'compress', '--model', yotoCkpt, 'in.png'], "'codec' needs <compress|decompress> <input> <output>"],
      [['codec', 'compress', '--modle', yotoCkpt, 'in.png', 'o.yoto'], "unknown option '--modle' for 'codec'"],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toContain(message);
    }
  });
});
