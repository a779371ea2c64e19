import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY } from '../testing/fixtures.js';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { FactorizedPrior } from './factorized-prior.js';
import { ScaleHyperprior } from './scale-hyperprior.js';

beforeAll(async () => {
  await initBackend();
});

describe('compression model dispose', () => {
  // Each GDN layer used to keep the tensor its initial γ was assigned from: 6 per model (3 GDN + 3 IGDN).
  it('frees every tensor the model allocated (both models, conditioned or not, whitened colour or not)', () => {
    const space = new BlsFactorizedTask().defaultSpace();
    for (const Model of [FactorizedPrior, ScaleHyperprior])
      for (const conditioned of [false, true])
        for (const colourTransform of ['rgb', 'whitened'] as const) {
          const start = tf.memory().numTensors;
          const model = new Model({ space, conditioned, seed: 3, config: { ...TINY, colourTransform } });
          expect(tf.memory().numTensors).toBeGreaterThan(start);
          model.dispose();
          expect(tf.memory().numTensors, `${Model.name} conditioned ${conditioned} ${colourTransform}`).toBe(start);
        }
  });
});
