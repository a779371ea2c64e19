import * as tf from '@tensorflow/tfjs';
import { defineSpace } from '../coefficients/defined-space.js';
import type { CoefficientSpace } from '../coefficients/space.js';
import type { SpaceSpec } from '../coefficients/spec.js';
import { film } from '../conditioning/film.js';
import { ConditioningNetwork } from '../conditioning/network.js';
import { dense } from '../nn/layers.js';
import { ParamStore } from '../nn/params.js';
import { Rng } from '../random/rng.js';
import type { Batch, BuildOptions, EvaluationPoint, LossContext, LossTerms, Task, TaskModel, TrainBatchOptions } from '../task/task.js';

/**
 * A task with a closed-form answer, for testing the trainer: the output y ∈ R^D of a small MLP is
 * pulled towards two targets, terms ‖y − a − ε_a‖² and ‖y − b − ε_b‖² (ε zero-mean noise in the
 * batch), so the optimum for λ = (λ_a, λ_b) is y* = (λ_a·a + λ_b·b) / (λ_a + λ_b).
 * The network: ones → dense(H) → FiLM(λ) → tanh → dense(D); the baseline drops the FiLM.
 */
export interface TwoTargetOptions {
  a?: number[];
  b?: number[];
  hidden?: number;
  /** Standard deviation of the target noise in each batch (default 0.1). */
  noise?: number;
  /** FiLM multiplier m (default 0.1, the framework default). */
  multiplier?: number;
  /** Poison term 'to_b' with NaN in the batch of this step. */
  nanAtStep?: number;
  /** From this step on, target b of every batch lies 1000 further away: a finite loss ~10⁶ times its trained level, as a diverged run's. */
  divergeAtStep?: number;
  /** Space the task trains on by default (default: to_b ~ LogUniform[0.1, 10], to_a fixed at 1). */
  space?: SpaceSpec;
  /** Record every trainBatch call here. */
  calls?: TrainBatchOptions[];
  /** Add an extra variable (to test checkpoint mismatches). */
  extraParam?: boolean;
  name?: string;
}

export interface TwoTargetModel extends TaskModel {
  readonly space: CoefficientSpace;
  forward(x: tf.Tensor2D, condition: tf.Tensor2D | null): tf.Tensor2D;
}

export const TWO_TARGET_TERMS = ['to_a', 'to_b'] as const;

export function twoTargetOptimum(a: number[], b: number[], lambda: readonly number[]): number[] {
  return a.map((ai, i) => (lambda[0] * ai + lambda[1] * b[i]) / (lambda[0] + lambda[1]));
}

export class TwoTargetTask implements Task<TwoTargetModel> {
  readonly name: string;
  readonly terms = [...TWO_TARGET_TERMS];
  readonly a: number[];
  readonly b: number[];
  private readonly o: TwoTargetOptions;

  constructor(options: TwoTargetOptions = {}) {
    this.o = options;
    this.name = options.name ?? 'two-target';
    this.a = options.a ?? [1, -1];
    this.b = options.b ?? [-1, 2];
  }

  defaultSpace(): CoefficientSpace {
    return defineSpace(this.o.space ?? { terms: [...this.terms], distribution: { kind: 'logUniform', term: 'to_b', low: 0.1, high: 10 } });
  }

  buildModel({ space, conditioned, seed }: BuildOptions): TwoTargetModel {
    const h = this.o.hidden ?? 32;
    const d = this.a.length;
    const params = new ParamStore(seed);
    const l1 = dense(params, 'l1', 1, h);
    const l2 = dense(params, 'l2', h, d);
    if (this.o.extraParam) params.variable('extra', [3], { kind: 'zeros' });
    const net = conditioned
      ? new ConditioningNetwork(params, { inputDim: space.conditionDim, layers: [{ name: 'l1', channels: h }], multiplier: this.o.multiplier })
      : null;
    return {
      params,
      conditioned,
      space,
      forward(x, condition) {
        return tf.tidy(() => {
          let z: tf.Tensor2D = l1(x);
          if (net) {
            if (!condition) throw new Error('two-target: a conditioned model needs a condition');
            z = film(z, net.apply(condition).l1) as tf.Tensor2D;
          }
          return l2(tf.tanh(z));
        });
      },
    };
  }

  trainBatch(o: TrainBatchOptions): Batch {
    this.o.calls?.push({ ...o });
    const d = this.a.length;
    const n = o.batchSize;
    const rng = new Rng((Math.imul(o.seed >>> 0, 0x9e3779b1) ^ Math.imul(o.step + 1, 0x85ebca6b)) >>> 0);
    const sigma = this.o.noise ?? 0.1;
    const away = this.o.divergeAtStep !== undefined && o.step >= this.o.divergeAtStep ? 1000 : 0;
    const ta = new Float32Array(n * d);
    const tb = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        ta[i * d + j] = this.a[j] + sigma * rng.normal();
        tb[i * d + j] = this.b[j] + away + sigma * rng.normal();
      }
    if (o.step === this.o.nanAtStep) tb[0] = Number.NaN;
    return { size: n, tensors: { x: tf.ones([n, 1]), ta: tf.tensor2d(ta, [n, d]), tb: tf.tensor2d(tb, [n, d]) } };
  }

  lossTerms(model: TwoTargetModel, batch: Batch, ctx: LossContext): LossTerms {
    const y = model.forward(batch.tensors.x as tf.Tensor2D, ctx.condition);
    return {
      to_a: tf.sum(tf.square(tf.sub(y, batch.tensors.ta)), 1) as tf.Tensor1D,
      to_b: tf.sum(tf.square(tf.sub(y, batch.tensors.tb)), 1) as tf.Tensor1D,
    };
  }

  /** The model's output at λ (noise-free targets): each term, the weighted loss, and the distance to y*. */
  async evaluate(model: TwoTargetModel, { lambda, condition }: EvaluationPoint): Promise<Record<string, number>> {
    const y = tf.tidy(() => [...model.forward(tf.ones([1, 1]), condition).dataSync()]);
    const star = twoTargetOptimum(this.a, this.b, lambda);
    const sq = (t: number[]): number => y.reduce((s, v, i) => s + (v - t[i]) ** 2, 0);
    const toA = sq(this.a);
    const toB = sq(this.b);
    return { to_a: toA, to_b: toB, loss: lambda[0] * toA + lambda[1] * toB, distance: Math.sqrt(sq(star)) };
  }

  /** y at λ (a single example). */
  output(model: TwoTargetModel, lambda: readonly number[]): number[] {
    return tf.tidy(() => {
      const cond = model.conditioned ? model.space.condition(lambda, 1) : null;
      return [...model.forward(tf.ones([1, 1]), cond).dataSync()];
    });
  }
}
