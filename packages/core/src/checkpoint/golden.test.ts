// Golden checkpoint: the checkpoint of a tiny seeded baseline model (TwoTargetTask, hidden width 2,
// with a made-up but fixed optimizer state and metadata) must encode to exactly the bytes in
// __golden__, whose SHA-256 is pinned here, and decode back to the same checkpoint. A refactor
// that changes one byte of the layout, the header or the initialisation fails here. After a
// deliberate format change: YOTO_UPDATE_GOLDEN=1 pnpm vitest run <this file>, and bump the version.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { TwoTargetTask } from '../testing/two-target-task.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './format.js';
import { readVariables, type NamedArrays } from './named-arrays.js';

const FILE = new URL('./__golden__/two-target-h2.yotockpt', import.meta.url).pathname;
const PINNED_SHA256 = '6b3e6b421ea096961b2e3127c03fc633ab7e8df4ec7adc829f7c325e993f0719';

async function tinyCheckpoint(): Promise<Checkpoint> {
  const task = new TwoTargetTask({ hidden: 2 });
  const space = task.defaultSpace();
  const model = task.buildModel({ space, conditioned: false, seed: 11 });
  const params = await readVariables(model.params.entries());
  model.params.dispose();
  const scaled = (f: number): NamedArrays => Object.fromEntries(Object.entries(params).map(([n, a]) => [n, { shape: a.shape, values: a.values.map((v) => Math.fround(v * f)) }]));
  return {
    task: task.name,
    step: 2,
    rngState: new Rng(3).state(),
    config: { task: task.name, mode: 'fixed', lambda: [1, 2], steps: 4, batchSize: 2, seed: 11 },
    space: space.toJSON(),
    conditioned: false,
    params,
    adam: { iteration: 2, m: scaled(0.5), v: scaled(0.25) },
    backend: 'cpu',
    createdAt: '2026-12-01T00:00:00.000Z',
  };
}

describe('the checkpoint format is pinned by a golden file', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a tiny model encodes to the golden bytes, which decode back to it', async () => {
    const ckpt = await tinyCheckpoint();
    const bytes = encodeCheckpoint(ckpt);
    if (process.env.YOTO_UPDATE_GOLDEN === '1') {
      writeFileSync(FILE, bytes);
      console.log(`golden ${FILE}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
    }
    const golden = new Uint8Array(readFileSync(FILE));
    expect(createHash('sha256').update(golden).digest('hex')).toBe(PINNED_SHA256);
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
    expect(decodeCheckpoint(golden, FILE)).toEqual({ ...ckpt, rngState: [...ckpt.rngState!] });
  });
});
