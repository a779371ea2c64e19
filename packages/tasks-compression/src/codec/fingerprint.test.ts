import * as tf from '@tensorflow/tfjs';
import { initBackend, spaceFromJSON } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FactorizedPrior } from '../model/factorized-prior.js';
import { TINY, tinyModel } from '../testing/fixtures.js';
import { modelFingerprint } from './fingerprint.js';

beforeAll(async () => {
  await initBackend();
});

describe('model fingerprint', () => {
  it('is stable for the same model, rebuilt from its stored space, and changes with any weight or setting', () => {
    const a = tinyModel(true, 4);
    const b = new FactorizedPrior({ space: spaceFromJSON(JSON.parse(JSON.stringify(a.space.toJSON()))), conditioned: true, seed: 4, config: TINY });
    const fa = modelFingerprint(a);
    expect(fa).toMatch(/^[0-9a-f]{16}$/);
    expect(modelFingerprint(b)).toBe(fa);
    // One weight of one kernel nudged by about one float32 step.
    const [, v] = b.params.entries().find(([n]) => n === 'g_a/conv1/kernel')!;
    const w = v.dataSync().slice();
    expect(w[0]).not.toBe(0);
    w[0] = Math.fround(w[0] * (1 + 2 ** -22));
    v.assign(tf.tensor(w, v.shape));
    expect(modelFingerprint(b)).not.toBe(fa);
    expect(modelFingerprint(tinyModel(true, 5))).not.toBe(fa);
    expect(modelFingerprint(tinyModel(false, 4))).not.toBe(fa);
    expect(() => new FactorizedPrior({ space: a.space, conditioned: true, seed: 4, config: { ...TINY, n: 3 } as never })).toThrow(/unknown option 'n'/);
    // The FiLM multiplier is part of the identity when set, and absent (not defaulted) when not.
    expect(a.config).not.toHaveProperty('filmMultiplier');
    const film = new FactorizedPrior({ space: a.space, conditioned: true, seed: 4, config: { ...TINY, filmMultiplier: 0.5 } });
    expect(modelFingerprint(film)).not.toBe(fa);
    film.dispose();
    expect(() => new FactorizedPrior({ space: a.space, conditioned: true, seed: 4, config: { ...TINY, filmMultiplier: 0 } })).toThrow(/filmMultiplier must be a finite number > 0, got 0/);
    a.dispose();
    b.dispose();
  });
});
