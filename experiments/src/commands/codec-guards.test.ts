// `exp codec` never writes over what it reads or over an existing file without --force, and writes
// bitstreams only to *.yoto — on a real (tiny, one-step) checkpoint, so that without the guard the
// first case would really replace the trained model (it did: exit 0, model gone).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng, initBackend, train } from '@yoto/core';
import sharp from 'sharp';
import { BlsFactorizedTask } from '@yoto/tasks-compression';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-codec-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let ckpt: string;

const cli = (...argv: string[]) => runCli(argv, { env: { INIT_CWD: dir }, cwd: dir });

async function png(file: string, width: number, height: number): Promise<void> {
  const data = new Uint8Array(width * height * 3).map((_v, i) => (i * 37) % 251);
  writeFileSync(file, await encodePng(data, width, height, 3));
}

beforeAll(async () => {
  await initBackend();
  mkdirSync(join(dir, 'train'));
  await png(join(dir, 'train', 't.png'), 32, 32);
  await png(join(dir, 'in.png'), 20, 18);
  const options = { config: { N: 8, M: 16, densityKnots: 4, conditioningHidden: 8 }, cropSize: 16, trainFolders: [join(dir, 'train')], evalFolder: join(dir, 'train') };
  const run = await train(new BlsFactorizedTask(options), {
    steps: 1, batchSize: 1, seed: 1, optimizer: { lr: 1e-3 }, taskOptions: options, mode: 'yoto', checkpoint: { dir: join(dir, 'ckpt'), every: 1 },
  });
  run.model.params.dispose();
  ckpt = run.checkpointPath!;
});

describe('exp codec output guard', () => {
  it('refuses to compress over its own --model (exit 2), and the checkpoint stays intact', async () => {
    const before = readFileSync(ckpt);
    const r = await cli('codec', 'compress', '--model', ckpt, '--lambda', '0.01', '--force', 'in.png', ckpt);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('is also an input of this command');
    expect(readFileSync(ckpt).equals(before)).toBe(true);
  });

  it('refuses a bitstream named *.png, an existing output without --force, and the input as output', async () => {
    const wrongExt = await cli('codec', 'compress', '--model', ckpt, '--lambda', '0.01', 'in.png', 'out.png');
    expect(wrongExt.code).toBe(2);
    expect(wrongExt.err).toContain('name it *.yoto');

    writeFileSync(join(dir, 'kept.yoto'), 'earlier result');
    const exists = await cli('codec', 'compress', '--model', ckpt, '--lambda', '0.01', 'in.png', 'kept.yoto');
    expect(exists.code).toBe(2);
    expect(exists.err).toContain('already exists; pass --force to replace it');
    expect(readFileSync(join(dir, 'kept.yoto'), 'utf8')).toBe('earlier result');

    const forced = await cli('codec', 'compress', '--model', ckpt, '--lambda', '0.01', '--force', 'in.png', 'kept.yoto');
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(join(dir, 'kept.yoto')).subarray(0, 4).toString()).not.toBe('earl');

    const self = await cli('codec', 'decompress', '--model', ckpt, '--force', 'in.png', 'in.png');
    expect(self.code).toBe(2);
    expect(self.err).toContain('is also an input');
    const overModel = await cli('codec', 'decompress', '--model', ckpt, 'kept.yoto', join(dir, 'ckpt', '..', 'in.png'));
    expect(overModel.code).toBe(2);
    expect(overModel.err).toContain('already exists; pass --force');
  });

  it('refuses a 6000×6000 image from its header, stating the maximum (it died in wasm before)', async () => {
    await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'huge.png'));
    const r = await cli('codec', 'compress', '--model', ckpt, '--lambda', '0.01', 'huge.png', 'huge.yoto');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `error: ${join(dir, 'huge.png')} is 6000×6000 (36.0 megapixels); the codec codes at most 3.1 megapixels (e.g. 2048×1536) in one piece: crop or downscale it first`,
    );
  });

  it('an image with transparent pixels gets advice the CLI can follow, not an API option', async () => {
    const rgba = new Uint8Array(20 * 18 * 4).map((_v, i) => (i % 4 === 3 ? 128 : 200));
    await sharp(Buffer.from(rgba), { raw: { width: 20, height: 18, channels: 4 } }).png().toFile(join(dir, 'alpha.png'));
    const r = await cli('codec', 'compress', '--model', ckpt, '--lambda', '0.01', 'alpha.png', 'alpha.yoto');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(dir, 'alpha.png')} has transparent pixels, which the codec does not store; flatten it onto a background first`);
    expect(r.err).not.toContain('alpha: "flatten"');
  });

  it('--target-bpp above anything the model codes at says it is out of reach', async () => {
    const r = await cli('codec', 'compress', '--model', ckpt, '--target-bpp', '1000', 'in.png', 'generous.yoto');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^note: 1000 bpp is out of reach: this model spends at most [\d.]+ bpp here \(its highest λ = 0\.18, its best quality\)$/);
  });
});
