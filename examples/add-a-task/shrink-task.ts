import * as tf from '@tensorflow/tfjs';
import {
  type Batch, type BuildOptions, ConditioningNetwork, defineSpace, dense, type EvaluationPoint, film, type LossContext,
  type LossTerms, ParamStore, registerTask, Rng, type Task, type TaskModel, type TrainBatchOptions,
} from '@yoto/core';

/**
 * A complete YOTO task in one file. The model maps x ∈ R^4 to y; two per-example loss terms pull y
 * towards x ('data', ‖y − x‖²) and towards 0 ('shrink', ‖y‖²), so for λ = (1, λ_shrink) the best
 * output is y* = x / (1 + λ_shrink). One FiLM-conditioned model learns the whole family.
 */
const D = 4;
export const TERMS = ['data', 'shrink'] as const;

export interface ShrinkModel extends TaskModel {
  forward(x: tf.Tensor2D, condition: tf.Tensor2D | null): tf.Tensor2D;
}

function batchOf(seed: number, n: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Float32Array.from({ length: n * D }, () => rng.normal()), [n, D]);
}

export class ShrinkTask implements Task<ShrinkModel> {
  readonly name = 'shrink';
  readonly terms = [...TERMS];

  // λ_data fixed at 1, λ_shrink log-uniform on [0.1, 10]; the space encodes it for the network.
  defaultSpace() {
    return defineSpace({ terms: [...TERMS], distribution: { kind: 'logUniform', term: 'shrink', low: 0.1, high: 10 } });
  }

  // A baseline (conditioned: false) has the same backbone and no conditioning network.
  buildModel({ space, conditioned, seed }: BuildOptions): ShrinkModel {
    const params = new ParamStore(seed);
    const hidden = dense(params, 'hidden', D, 32);
    const out = dense(params, 'out', 32, D);
    const net = conditioned ? new ConditioningNetwork(params, { inputDim: space.conditionDim, layers: [{ name: 'hidden', channels: 32 }] }) : null;
    const forward = (x: tf.Tensor2D, condition: tf.Tensor2D | null): tf.Tensor2D =>
      tf.tidy(() => {
        const h = hidden(x);
        return out(tf.tanh(net && condition ? (film(h, net.apply(condition).hidden) as tf.Tensor2D) : h));
      });
    return { params, conditioned, space, forward };
  }

  // A pure function of (seed, step): a resumed run sees the same data.
  trainBatch({ seed, step, batchSize }: TrainBatchOptions): Batch {
    return { size: batchSize, tensors: { x: batchOf(seed * 100_003 + step, batchSize) } };
  }

  // Per-example values of every term, never pre-summed: the trainer weights each example by its own λ.
  lossTerms(model: ShrinkModel, batch: Batch, ctx: LossContext): LossTerms {
    const x = batch.tensors.x as tf.Tensor2D;
    const y = model.forward(x, ctx.condition);
    return { data: tf.sum(tf.square(tf.sub(y, x)), 1) as tf.Tensor1D, shrink: tf.sum(tf.square(y), 1) as tf.Tensor1D };
  }

  // Held-out metrics at one point: every term, the λ-weighted loss, and the distance to y*.
  async evaluate(model: ShrinkModel, { lambda, condition }: EvaluationPoint): Promise<Record<string, number>> {
    const [data, shrink, distance] = tf.tidy(() => {
      const x = batchOf(-1, 256);
      const y = model.forward(x, condition && tf.tile(condition, [256, 1]));
      const star = tf.div(x, 1 + lambda[1]);
      return [tf.sum(tf.square(tf.sub(y, x)), 1), tf.sum(tf.square(y), 1), tf.norm(tf.sub(y, star), 'euclidean', 1)].map((t) => tf.mean(t).dataSync()[0]);
    });
    return { data, shrink, loss: lambda[0] * data + lambda[1] * shrink, distance };
  }
}

registerTask('shrink', () => new ShrinkTask());
