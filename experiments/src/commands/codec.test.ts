// `exp codec` on a tiny compression model trained here for a few steps on synthetic images (no
// dataset needed): the file round trip, the λ search, and every kind of error with its exit code.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeImageU8, encodePng, initBackend, loadModel, Rng, train } from '@yoto/core';
import { BlsFactorizedTask, compressAt, toImage, toPaddedTensor, type BlsTaskOptions, type ImageU8 } from '@yoto/tasks-compression';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-codec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = { N: 8, M: 16, densityKnots: 4, conditioningHidden: 8 };
let options: BlsTaskOptions;
let yotoCkpt: string;
let baselineCkpt: string;
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

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), progress: { write: () => true }, env: { ...process.env, INIT_CWD: dir }, cwd: dir };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

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
});

describe('pnpm exp codec', () => {
  it('compress → decompress: the file is the model’s bitstream and decodes to its quantized reconstruction', async () => {
    const c = await cli('codec', 'compress', '--model', yotoCkpt, '--lambda', '0.02', 'in.png', 'out.yoto', '--json');
    expect(c.code, c.err).toBe(0);
    const summary = JSON.parse(c.out.split('\n').at(-1)!) as { bytes: number; bpp: number; lambda: number; width: number; height: number };
    expect(summary).toMatchObject({ lambda: 0.02, width: 50, height: 37 });
    const bytes = new Uint8Array(readFileSync(join(dir, 'out.yoto')));
    expect(summary.bytes).toBe(bytes.length);
    expect(summary.bpp).toBeCloseTo((8 * bytes.length) / (50 * 37), 12);

    const d = await cli('codec', 'decompress', '--model', yotoCkpt, 'out.yoto', 'out.png');
    expect(d.code, d.err).toBe(0);
    expect(d.out).toContain('50×37, λ = 0.02');
    const decoded = await decodeImageU8(join(dir, 'out.png'));

    // The same model, loaded independently: its bitstream and its rounded reconstruction.
    const loaded = await loadModel(new BlsFactorizedTask(options), yotoCkpt);
    try {
      expect(bytes).toEqual(compressAt(loaded.model, image, 0.02).bytes);
      const x = toPaddedTensor(image);
      const q = loaded.model.quantizedForward(x, 0.02);
      const expected = toImage(q.xHat, 50, 37);
      tf.dispose([x, q.y, q.symbols, q.yHat, q.xHat, q.bits]);
      expect(decoded.width).toBe(50);
      expect(decoded.height).toBe(37);
      expect(Buffer.from(decoded.data).equals(Buffer.from(expected.data))).toBe(true);
    } finally {
      loaded.model.params.dispose();
    }
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

  it('a corrupted, truncated or foreign file is a data error (exit 1) naming the file', async () => {
    const good = readFileSync(join(dir, 'out.yoto'));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0x5a;
    writeFileSync(join(dir, 'flipped.yoto'), flipped);
    writeFileSync(join(dir, 'short.yoto'), good.subarray(0, good.length - 5));
    const cases: [string, RegExp][] = [
      ['flipped.yoto', /flipped\.yoto: cannot decode \(corrupt-payload\)/],
      ['short.yoto', /short\.yoto: cannot decode \(truncated\)/],
      ['in.png', /in\.png: cannot decode \(not-yoto\): not a YOTO bitstream/],
    ];
    for (const [file, message] of cases) {
      const r = await cli('codec', 'decompress', '--model', yotoCkpt, file, 'x.png');
      expect(r.code, file).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toContain('    at '); // a message, not a stack trace
    }
    // A bitstream made by another model.
    const other = await cli('codec', 'decompress', '--model', baselineCkpt, 'out.yoto', 'x.png');
    expect(other.code).toBe(1);
    expect(other.err).toContain('out.yoto: cannot decode (model-mismatch)');
    // Not a checkpoint, and not an image.
    const badModel = await cli('codec', 'decompress', '--model', 'in.png', 'out.yoto', 'x.png');
    expect(badModel.code).toBe(1);
    expect(badModel.err).toContain("is not a YOTO checkpoint (it does not start with 'YOTOCKPT')");
    const badImage = await cli('codec', 'compress', '--model', yotoCkpt, '--lambda', '0.02', 'out.yoto', 'y.yoto');
    expect(badImage.code).toBe(1);
    expect(badImage.err).toContain(`cannot decode image ${join(dir, 'out.yoto')}`);
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
      [['codec', 'decompress', '--model', yotoCkpt, 'out.yoto', 'out.jpg'], 'decompress writes PNG'],
      [['codec', 'decompress', '--model', yotoCkpt, '--lambda', '0.02', 'out.yoto', 'o.png'], 'codec decompress takes no --lambda'],
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
