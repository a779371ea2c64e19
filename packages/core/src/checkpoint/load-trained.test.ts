import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAt } from '../eval/grid.js';
import { registerTask, unregisterTask } from '../task/registry.js';
import { TwoTargetTask, type TwoTargetOptions } from '../testing/two-target-task.js';
import { train } from '../train/trainer.js';
import { CheckpointError } from './errors.js';
import { checkpointPath } from './file.js';
import { loadTrained, loadTrainedFromBytes } from './load-trained.js';

const NAME = 'two-target-zoo';

describe('loadTrained', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'yoto-zoo-'));
    registerTask(NAME, (o) => new TwoTargetTask({ ...(o as TwoTargetOptions), name: NAME }));
    const taskOptions = { hidden: 4, a: [2, 0] };
    const r = await train(new TwoTargetTask({ ...taskOptions, name: NAME }), {
      mode: 'yoto', steps: 3, batchSize: 4, seed: 5, optimizer: { lr: 0.01 }, taskOptions, checkpoint: { dir, every: 100 },
    });
    r.model.params.dispose();
    file = checkpointPath(dir);
  });
  afterAll(async () => {
    unregisterTask(NAME);
    await rm(dir, { recursive: true, force: true });
  });

  it('rebuilds task, space and model from the checkpoint alone', async () => {
    const t = await loadTrained<ReturnType<TwoTargetTask['buildModel']>>(file);
    expect(t.task.name).toBe(NAME);
    expect((t.task as TwoTargetTask).a).toEqual([2, 0]); // the stored task options
    expect(t.taskOptions).toEqual({ hidden: 4, a: [2, 0] });
    expect(t).toMatchObject({ conditioned: true, step: 3, mode: 'yoto', lambda: null, path: file });
    expect(t.space.encodings).toEqual({ to_b: 'log' });
    // The same numbers as a second, independent load.
    const again = await loadTrained(file);
    expect(await evaluateAt(t.task, t.model, [1, 2])).toEqual(await evaluateAt(again.task, again.model, [1, 2]));
    t.model.params.dispose();
    again.model.params.dispose();
  });

  it('rebuilds the same model from the checkpoint bytes (the browser explorer path), and names the label on damage', async () => {
    const bytes = new Uint8Array(await readFile(file));
    const fromFile = await loadTrained(file);
    const fromBytes = loadTrainedFromBytes(bytes, 'run 7');
    expect(fromBytes).toMatchObject({ conditioned: true, step: 3, mode: 'yoto', path: 'run 7', taskOptions: fromFile.taskOptions });
    expect(await evaluateAt(fromBytes.task, fromBytes.model, [1, 2])).toEqual(await evaluateAt(fromFile.task, fromFile.model, [1, 2]));
    fromFile.model.params.dispose();
    fromBytes.model.params.dispose();
    const flipped = bytes.slice();
    flipped[flipped.length - 40] ^= 1;
    expect(() => loadTrainedFromBytes(flipped, 'run 7')).toThrow('checkpoint run 7: checksum mismatch: the file is corrupt');
  });

  it('names the file and what is wrong: missing, truncated, another task, an unregistered task', async () => {
    const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (e instanceof CheckpointError ? e.code : `other: ${String(e)}`));
    const missing = join(dir, 'absent.yotockpt');
    await expect(loadTrained(missing)).rejects.toThrow(`checkpoint ${missing}: does not exist`);
    expect(await codeOf(loadTrained(missing))).toBe('CHECKPOINT_UNREADABLE');
    const cut = join(dir, 'cut.yotockpt');
    const bytes = await readFile(file);
    await writeFile(cut, bytes.subarray(0, bytes.length - 100));
    await expect(loadTrained(cut)).rejects.toThrow(new RegExp(`checkpoint ${cut}: is truncated`));
    expect(await codeOf(loadTrained(cut))).toBe('CHECKPOINT_DAMAGED');
    await expect(loadTrained(file, { task: 'bls-factorized' })).rejects.toThrow(`checkpoint ${file}: was written by task '${NAME}'; a 'bls-factorized' model is needed here`);
    unregisterTask(NAME);
    try {
      await expect(loadTrained(file)).rejects.toThrow(/was written by task 'two-target-zoo', which is not registered .*is the @yoto\/tasks-… package that defines it imported\?/);
      expect(await codeOf(loadTrained(file))).toBe('CHECKPOINT_INCOMPATIBLE');
    } finally {
      registerTask(NAME, (o) => new TwoTargetTask({ ...(o as TwoTargetOptions), name: NAME }));
    }
  });

  it('loads a checkpoint written before the λ redesign (commit 2478429)', async () => {
    // That run stored no task options (its hidden width was 4), so the builder supplies the width.
    registerTask('two-target', (o) => new TwoTargetTask({ hidden: 4, ...(o as TwoTargetOptions) }));
    try {
      const old = await loadTrained(new URL('./__fixtures__/two-target-v1-step3.yotockpt', import.meta.url).pathname);
      expect(old).toMatchObject({ step: 3, conditioned: true, mode: 'yoto' });
      old.model.params.dispose();
    } finally {
      unregisterTask('two-target');
    }
  });
});
