import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwoTargetTask } from '../testing/two-target-task.js';
import { train } from '../train/trainer.js';
import { readVariables } from './named-arrays.js';
import { CHECKPOINT_FILE } from './file.js';

/**
 * A checkpoint written before core took over λ's encoding (commit 2478429): TwoTargetTask({ hidden: 4 }),
 * yoto, 6 steps of batch 4, seed 7, Adam lr 0.01, stopped after step 3 on the cpu backend. The
 * expected values are what that code produced when it resumed the same file to step 6 (the same as
 * an uninterrupted run). The log encoding did not change, so resuming must give the same bits.
 */
const FIXTURE = new URL('./__fixtures__/two-target-v1-step3.yotockpt', import.meta.url).pathname;
const OLD_RESUMED = {
  paramsSha256: '83e3e287acd5b02f07e33ea3a143ad9840549e56a95d6c67363466e4c4db026f',
  lastLoss: 10.454556465148926,
  outputAt12: [-0.699468195438385, 1.209693193435669],
};

async function paramsDigest(entries: [string, tf.Variable][]): Promise<string> {
  const h = createHash('sha256');
  const values = await readVariables(entries);
  for (const name of Object.keys(values).sort()) {
    h.update(name);
    h.update(new Uint8Array(values[name].values.buffer));
  }
  return h.digest('hex');
}

describe('a checkpoint written before the λ redesign', () => {
  let dir: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'yoto-old-ckpt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes to bit-identical weights and loss', async () => {
    await copyFile(FIXTURE, join(dir, CHECKPOINT_FILE));
    const task = new TwoTargetTask({ hidden: 4 });
    const r = await train(task, { mode: 'yoto', steps: 6, batchSize: 4, seed: 7, optimizer: { lr: 0.01 }, checkpoint: { dir, every: 100 }, resume: true });
    expect(r.resumedFrom).toBe(3);
    expect(r.lastLoss).toBe(OLD_RESUMED.lastLoss);
    expect(await paramsDigest(r.model.params.entries())).toBe(OLD_RESUMED.paramsSha256);
    expect(task.output(r.model, [1, 2])).toEqual(OLD_RESUMED.outputAt12);
    r.model.params.dispose();
  });
});
