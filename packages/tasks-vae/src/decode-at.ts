import * as tf from '@tensorflow/tfjs';
import { Rng, type Task } from '@yoto/core';
import type { VaeModel } from './model.js';

// What the model draws at one β — used by the report's pictures (Node) and the explorer page
// (browser), so this module imports nothing that needs Node.

/** The λ vector of the model's space with the KL weight set to β and every other term at 1. */
export function betaLambda(model: VaeModel, beta: number): Float32Array {
  return Float32Array.from(model.space.terms, (t) => (t === 'kl' ? beta : 1));
}

/** The space's condition for β on n rows (null for an unconditioned model). */
export function betaCondition(model: VaeModel, beta: number, n: number): tf.Tensor2D | null {
  return model.conditioned ? model.space.condition(betaLambda(model, beta), n) : null;
}

/** The decoder's mean image for the posterior mean of each image (no sampling noise), at β. */
export function reconstructAt(model: VaeModel, images: tf.Tensor4D, beta: number): tf.Tensor4D {
  const cond = betaCondition(model, beta, images.shape[0]);
  const out = tf.tidy(() => {
    const films = model.films(cond);
    return model.decodeMean(model.encode(images, films).mean, films);
  });
  cond?.dispose();
  return out;
}

/** The decoder's mean image for each latent code (rows of z), at β. */
export function decodeAt(model: VaeModel, z: tf.Tensor2D, beta: number): tf.Tensor4D {
  const cond = betaCondition(model, beta, z.shape[0]);
  const out = tf.tidy(() => model.decodeMean(z, model.films(cond)));
  cond?.dispose();
  return out;
}

/** The report's fixed latent codes: n rows of z ~ N(0, I), the same in the report and the explorer page. */
export function fixedLatents(n: number, latent: number, seed = 12345): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * latent }, () => rng.normal());
}

/**
 * The model's own loss terms at β on a few images, averaged: the task's terms with the posterior
 * mean as the latent (zero reparameterisation noise). What the explorer shows between grid points
 * and the report's β-sweep animation prints under each frame.
 */
export async function termsAt(task: Task<VaeModel>, model: VaeModel, images: tf.Tensor4D, beta: number): Promise<Record<string, number>> {
  const n = images.shape[0];
  const lambda = betaLambda(model, beta);
  const noise = tf.zeros([n, model.config.latent]);
  const lambdas = tf.tensor2d(Array.from({ length: n }, () => [...lambda]));
  const condition = model.conditioned ? model.space.condition(lambda, n) : null;
  const terms = task.lossTerms(model, { size: n, tensors: { x: images, noise } }, { training: false, lambda: lambdas, condition });
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(terms)) {
    const mean = t.mean();
    out[k] = ((await mean.data()) as Float32Array)[0];
    mean.dispose();
  }
  tf.dispose([noise, lambdas, ...(condition ? [condition] : []), ...Object.values(terms)]);
  return out;
}
