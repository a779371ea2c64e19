// `exp stylize` on a checkpoint trained here for a few steps: one image at chosen weights, a sweep
// strip, a baseline at its own weights, and the errors a user can make.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointPath, decodeImageU8, defineSpace, encodePng, findDataset, initBackend, resolveDataRoot, train } from '@yoto/core';
import { LOSS_NETWORKS } from '@yoto/tasks-style/presets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-stylize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(['stylize', ...argv], { env: { ...process.env, INIT_CWD: dir }, cwd: dir });

it('refuses a wrong command line before loading anything (exit 2, one line)', async () => {
  const img = join(dir, 'in.png');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(img, await encodePng(new Uint8Array(18 * 18 * 3).fill(128), 18, 18, 3));
  writeFileSync(join(dir, 'fake.yotockpt'), 'x');
  const cases: [string[], string][] = [
    [['in.png', 'out.png'], 'stylize needs --model <checkpoint>'],
    [['--model', 'fake.yotockpt', '--weights', 'content=1,texture=2', 'in.png', 'out.png'], "--weights: unknown weight 'texture'; weights: content, style1, style2, style3, style4 (or c, s1…s4)"],
    [['--model', 'fake.yotockpt', '--weights', 'content=-1', 'in.png', 'out.png'], "--weights content expects a number ≥ 0, got '-1'"],
    [['--model', 'fake.yotockpt', '--sweep', 'content=0.1:1', 'in.png', 'out.png'], '--sweep expects term=low:high:count'],
    [['--model', 'fake.yotockpt', '--sweep', 's1=0:1:40', 'in.png', 'out.png'], '--sweep count must be an integer from 2 to 16'],
    [['--model', 'fake.yotockpt', 'in.png', 'out.jpg'], 'stylize writes PNG; name it *.png'],
    [['--model', 'nope.yotockpt', 'in.png', 'out.png'], 'does not exist'],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(...argv);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('    at ');
  }
  const bad = await cli('--model', 'fake.yotockpt', 'in.png', 'out.png');
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--model');
});

const weights = join(resolveDataRoot(), LOSS_NETWORKS.mobilenet.path, 'model.json');
const missing = [...(findDataset('style') ? [] : ["dataset 'style'"]), ...(existsSync(weights) ? [] : [`the MobileNet weights ${weights}`])];
describe.skipIf(missing.length > 0)(`exp stylize with trained checkpoints${missing.length ? ` (skipped: ${missing.join(' and ')} not under the data root ${resolveDataRoot()})` : ''}`, () => {
  let yoto: string;
  let baseline: string;
  beforeAll(async () => {
    await import('@yoto/tasks-style');
    const { createTask } = await import('@yoto/core');
    await initBackend();
    const options = { imageSize: 32, trainLimit: 4, calibrationImages: 2, network: { widths: [4, 8, 8], residualBlocks: 1, conditioningHidden: 8 } };
    const task = createTask('style-transfer', options);
    const common = { steps: 3, batchSize: 2, seed: 1, optimizer: { lr: 0.05 }, taskOptions: options } as const;
    const y = await train(task, { ...common, mode: 'yoto', space: task.defaultSpace(), checkpoint: { dir: join(dir, 'yoto'), every: 3 } });
    y.model.params.dispose();
    yoto = checkpointPath(join(dir, 'yoto'));
    const lambda = [0.55, 0.5, 0.5, 0.5, 0.5];
    const fixed = defineSpace({ terms: ['content', 'style1', 'style2', 'style3', 'style4'], distribution: task.defaultSpace().terms.map((t, i) => ({ kind: 'fixed' as const, term: t, value: lambda[i] })) });
    const b = await train(task, { ...common, mode: 'fixed', space: fixed, lambda, checkpoint: { dir: join(dir, 'baseline'), every: 3 } });
    b.model.params.dispose();
    baseline = checkpointPath(join(dir, 'baseline'));
  }, 240_000);

  it('stylizes at given weights (sides cropped to multiples of 4) and writes a sweep strip', async () => {
    const { writeFileSync } = await import('node:fs');
    const px = Uint8Array.from({ length: 50 * 38 * 3 }, (_, i) => (i * 37) % 256);
    writeFileSync(join(dir, 'photo.png'), await encodePng(px, 50, 38, 3));
    const a = await cli('--model', yoto, '--weights', 'content=1,s1=1,s2=0,s3=0,s4=0', 'photo.png', 'a.png', '--json');
    expect(a.code, a.err).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ width: 48, height: 36, frames: [{ content: 1, style1: 1, style2: 0, style3: 0, style4: 0 }] });
    const img = await decodeImageU8(join(dir, 'a.png'));
    expect([img.width, img.height]).toEqual([48, 36]);
    const s = await cli('--model', yoto, '--weights', 's1=0.5', '--sweep', 'content=0.1:1:3', 'photo.png', 'strip.png', '--json');
    expect(s.code, s.err).toBe(0);
    const strip = JSON.parse(s.out) as { width: number; frames: { content: number; style1: number; style2: number }[] };
    expect(strip.width).toBe(3 * 48 + 2 * 4);
    expect(strip.frames.map((f) => f.content)).toEqual([0.1, 0.55, 1]);
    // Unnamed weights take the balanced setting (0.5 for every style layer of the default box).
    expect(strip.frames[0]).toMatchObject({ style1: 0.5, style2: 0.5 });
    // The first and last frames differ: the weights reach the network.
    const d = await decodeImageU8(join(dir, 'strip.png'));
    let diff = 0;
    for (let r = 0; r < 36; r++) {
      const left = d.data.subarray((r * strip.width) * 3, (r * strip.width + 48) * 3);
      const right = d.data.subarray((r * strip.width + 104) * 3, (r * strip.width + 152) * 3);
      for (let i = 0; i < left.length; i++) diff += Math.abs(left[i] - right[i]);
    }
    expect(diff).toBeGreaterThan(0);
    const again = await cli('--model', yoto, 'photo.png', 'a.png');
    expect(again.code).toBe(2);
    expect(again.err).toContain('--force');
  });

  it('keeps a baseline at its own weights and refuses weights outside the training box', async () => {
    const b = await cli('--model', baseline, 'photo.png', 'b.png', '--json');
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out).frames).toEqual([{ content: 0.55, style1: 0.5, style2: 0.5, style3: 0.5, style4: 0.5 }]);
    const w = await cli('--model', baseline, '--weights', 'content=1', 'photo.png', 'b2.png');
    expect(w.code).toBe(2);
    expect(w.err).toContain('is a fixed-weight baseline (trained at content=0.55,style1=0.5');
    const out = await cli('--model', yoto, '--weights', 'content=3', 'photo.png', 'c.png');
    expect(out.code).toBe(2);
    expect(out.err).toContain("content=3 lies outside the model's training range [0.1, 1] for content");
  });
});
