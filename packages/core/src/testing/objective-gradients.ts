import * as tf from '@tensorflow/tfjs';
import { callCounts } from '@yoto/tfjs-dnnl';
import { relativeL2 } from '@yoto/tfjs-kernels/testing';
import { initBackend } from '../backend/init.js';
import type { Batch, Task, TaskModel } from '../task/task.js';

export interface ObjectiveGradients {
  loss: number;
  /** Per variable name, its gradient read back. */
  grads: Record<string, Float32Array>;
}

/**
 * The trainer's objective on one batch — the mean over the batch of Σ_i λ[b, i]·term_i[b] — and its
 * gradient with respect to every variable of the model, read back: for checks that run a whole
 * model's step on two backends and compare.
 */
export function objectiveGradients<M extends TaskModel>(task: Task<M>, model: M, batch: Batch, lambda: tf.Tensor2D, condition: tf.Tensor2D | null): ObjectiveGradients {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const terms = task.lossTerms(model, batch, { training: true, lambda, condition });
      return tf.mean(tf.sum(tf.mul(tf.stack(task.terms.map((t) => terms[t]), 1), lambda), 1)) as tf.Scalar;
    }, model.params.variables);
    return { loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync().slice() as Float32Array])) };
  });
}

/**
 * How far one run's objective and gradients are from another's: the loss's relative difference and
 * each variable's gradient as ‖got − want‖ / ‖want‖ (NaN where `want` is all zeros, which a check
 * should refuse: such a variable tells nothing). Throws when the two have different variables.
 */
export function gradientDistances(got: ObjectiveGradients, want: ObjectiveGradients): { loss: number; grads: Record<string, number> } {
  const names = Object.keys(want.grads).sort();
  const other = Object.keys(got.grads).sort();
  if (names.join() !== other.join()) throw new Error(`gradientDistances: variables differ: [${other.join(', ')}] against [${names.join(', ')}]`);
  return { loss: Math.abs(got.loss - want.loss) / Math.abs(want.loss), grads: Object.fromEntries(names.map((n) => [n, relativeL2(got.grads[n], want.grads[n])])) };
}

/**
 * `gradients` on plain wasm, then on wasm+dnnl (the backends must both be available): the distances
 * of the native run from the plain one, and how often each kernel ran natively in it.
 */
export async function nativeAgainstPlain(gradients: () => ObjectiveGradients): Promise<{ loss: number; grads: Record<string, number>; nativeCalls: Record<string, number> }> {
  await initBackend('wasm');
  const plain = gradients();
  await initBackend('wasm+dnnl');
  const before = Object.fromEntries(Object.entries(callCounts).map(([k, c]) => [k, c.native]));
  const native = gradients();
  const nativeCalls = Object.fromEntries(Object.entries(callCounts).map(([k, c]) => [k, c.native - (before[k] ?? 0)]));
  return { ...gradientDistances(native, plain), nativeCalls };
}
