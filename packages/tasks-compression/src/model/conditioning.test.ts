// config conditioningInit: how the λ-conditioning (FiLM) MLP starts; nothing else about the model changes.
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '@yoto/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlsFactorizedTask } from '../task/bls-task.js';
import { TINY } from '../testing/fixtures.js';
import type { FactorizedPriorConfig } from './config.js';
import { FactorizedPrior } from './factorized-prior.js';
import { ScaleHyperprior } from './scale-hyperprior.js';
import { CONDITIONING_SCOPE } from './scopes.js';

beforeAll(async () => {
  await initBackend();
});

const space = new BlsFactorizedTask().defaultSpace();
// Wide enough that each kernel's spread is measured to a few per cent.
const HIDDEN = 256;
const HIDDEN_KERNEL = `${CONDITIONING_SCOPE}hidden/kernel`;

const values = (m: { params: { entries(): [string, tf.Variable][] } }): Map<string, number[]> => new Map(m.params.entries().map(([n, v]) => [n, Array.from(v.dataSync())]));
const std = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
const maxAbs = (xs: number[]): number => Math.max(...xs.map(Math.abs));
const isHeadKernel = (n: string): boolean => n.startsWith(CONDITIONING_SCOPE) && /\/(scale|shift)\/kernel$/.test(n);

describe('conditioningInit', () => {
  it("'heHidden' draws the hidden kernel He-normal (std √(2/fan-in), beyond the Glorot bound); 'reference' the heads too; every other initial weight is the default's", () => {
    for (const Model of [FactorizedPrior, ScaleHyperprior]) {
      const build = (init?: FactorizedPriorConfig['conditioningInit']) => new Model({ space, conditioned: true, seed: 3, config: { ...TINY, conditioningHidden: HIDDEN, ...(init ? { conditioningInit: init } : {}) } });
      const models = { absent: build(), glorot: build('glorot'), heHidden: build('heHidden'), reference: build('reference') };
      const w = Object.fromEntries(Object.entries(models).map(([k, m]) => [k, values(m)])) as Record<keyof typeof models, Map<string, number[]>>;
      expect(w.glorot).toEqual(w.absent);
      const fanIn = space.conditionDim;
      const heads = [...w.absent.keys()].filter(isHeadKernel);
      expect(heads.length).toBeGreaterThan(0);

      // The default: Glorot-uniform, inside ±√(6 / (fan-in + fan-out)).
      expect(maxAbs(w.absent.get(HIDDEN_KERNEL)!)).toBeLessThanOrEqual(Math.sqrt(6 / (fanIn + HIDDEN)));
      for (const n of heads) expect(maxAbs(w.absent.get(n)!), n).toBeLessThanOrEqual(Math.sqrt(6 / (HIDDEN + w.absent.get(n)!.length / HIDDEN)));

      for (const init of ['heHidden', 'reference'] as const) {
        const hidden = w[init].get(HIDDEN_KERNEL)!;
        expect(std(hidden) / Math.sqrt(2 / fanIn), init).toBeGreaterThan(0.85);
        expect(std(hidden) / Math.sqrt(2 / fanIn), init).toBeLessThan(1.15);
        expect(maxAbs(hidden), init).toBeGreaterThan(3 * Math.sqrt(6 / (fanIn + HIDDEN)));
      }
      // 'heHidden' changes the hidden kernel alone; 'reference' the head kernels as well.
      const changed = (k: 'heHidden' | 'reference'): string[] => [...w.absent.keys()].filter((n) => JSON.stringify(w[k].get(n)) !== JSON.stringify(w.absent.get(n))).sort();
      expect(changed('heHidden')).toEqual([HIDDEN_KERNEL]);
      expect(changed('reference')).toEqual([HIDDEN_KERNEL, ...heads].sort());
      const allHeads = heads.flatMap((n) => w.reference.get(n)!);
      expect(std(allHeads) / Math.sqrt(2 / HIDDEN)).toBeGreaterThan(0.95);
      expect(std(allHeads) / Math.sqrt(2 / HIDDEN)).toBeLessThan(1.05);
      for (const m of Object.values(models)) m.dispose();
    }
  });

  it('a fixed-λ baseline has no conditioning whatever it is set to, and an unknown value is refused by name', () => {
    const base = new ScaleHyperprior({ space, conditioned: false, seed: 2, config: { ...TINY, conditioningInit: 'heHidden' }, lambda: 0.018 });
    expect(base.params.entries().filter(([n]) => n.startsWith(CONDITIONING_SCOPE))).toEqual([]);
    base.dispose();
    expect(() => new FactorizedPrior({ space, conditioned: true, seed: 1, config: { ...TINY, conditioningInit: 'zeros' as never } })).toThrow(
      /^factorized-prior config: conditioningInit must be 'glorot', 'heHidden', 'reference', got "zeros"$/,
    );
    expect(() => new ScaleHyperprior({ space, conditioned: true, seed: 1, config: { ...TINY, conditioningInit: 'he' as never } })).toThrow(
      /^scale-hyperprior config: conditioningInit must be 'glorot', 'heHidden', 'reference', got "he"$/,
    );
  });
});
