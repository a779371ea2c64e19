import * as tf from '@tensorflow/tfjs';
import type { Batch, CoefficientSpace, LossTerms, Task, TaskModel } from '@yoto/core';

/** mean over the batch of Σ_i λ[b, i]·term_i[b]; λ is row-major [batch, terms.length]. */
export function weightedLoss(terms: LossTerms, names: readonly string[], lambdas: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const stacked = tf.stack(names.map((n) => terms[n]), 1); // [batch, terms]
    return tf.mean(tf.sum(tf.mul(stacked, lambdas), 1)) as tf.Scalar;
  });
}

/**
 * One optimizer step on one batch with per-example coefficients (the loss-conditional objective;
 * a baseline passes the same λ in every row). For tests and the benchmark; the framework's trainer
 * is the real loop. Returns the loss before the update.
 */
export function trainStep<M extends TaskModel>(task: Task<M>, model: M, space: CoefficientSpace, optimizer: tf.Optimizer, batch: Batch, lambdas: Float32Array): number {
  const n = batch.size;
  const k = task.terms.length;
  if (lambdas.length !== n * k) throw new Error(`trainStep: λ must be [${n}, ${k}] (${n * k} values), got ${lambdas.length}`);
  const lam = tf.tensor2d(lambdas, [n, k]);
  const cond = model.conditioned ? space.condition(lambdas, n) : null;
  const loss = optimizer.minimize(
    () => weightedLoss(task.lossTerms(model, batch, { training: true, lambda: lam, condition: cond }), task.terms, lam),
    true,
    model.params.variables,
  )!;
  const value = loss.dataSync()[0];
  tf.dispose([loss, lam, ...(cond ? [cond] : [])]);
  return value;
}
