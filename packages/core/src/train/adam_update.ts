import { nativeAdamUpdate } from '@yoto/tfjs-dnnl';

const f = Math.fround;

/** Adam's per-step constants, each rounded to float32 as the op-by-op version holds them. */
export interface AdamStepConstants {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  eps: number;
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** 1 / √(1 − β2^t) */
  invSqrtBc2: number;
  /** The seven above in the addon's order [b1, c1, b2, c2, eps, stepSize, invSqrtBc2]: built once per step, shared by every parameter. */
  packed: Float32Array;
}

export function adamStepConstants(beta1: number, beta2: number, epsilon: number, lr: number, t: number): AdamStepConstants {
  const bc1 = 1 - Math.pow(beta1, t);
  const bc2 = 1 - Math.pow(beta2, t);
  const k = { b1: f(beta1), c1: f(1 - beta1), b2: f(beta2), c2: f(1 - beta2), eps: f(epsilon), stepSize: f(lr / bc1), invSqrtBc2: f(1 / Math.sqrt(bc2)) };
  return { ...k, packed: Float32Array.of(k.b1, k.c1, k.b2, k.c2, k.eps, k.stepSize, k.invSqrtBc2) };
}

/**
 * One Adam update of one parameter in a single host loop, replacing ~10 elementwise kernels per
 * parameter. With the native kernels on (`wasm+dnnl`) the loop runs in the addon (native/adam.cc in
 * @yoto/tfjs-dnnl, the same operations in the same order, vectorized): in JS it took about a tenth of
 * a native vae step. Every operation is rounded to float32 in the order the op-by-op version evaluates it
 * (m·b1 + g·c1; v·b2 + g²·c2; p − (m / (√v·invSqrtBc2 + eps))·stepSize), and IEEE float32 +, −, ·, /
 * and √ are exactly a double operation rounded once, so both versions give bit-identical results.
 * `m` and `v` are read from mIn/vIn and written to mOut/vOut (the same arrays for an update in
 * place); the new parameter goes to pOut.
 */
export function adamUpdate(
  p: Float32Array,
  g: Float32Array,
  mIn: Float32Array,
  vIn: Float32Array,
  pOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  k: AdamStepConstants,
): void {
  if (nativeAdamUpdate([p, g, mIn, vIn, pOut, mOut, vOut], k.packed)) return;
  const { b1, c1, b2, c2, eps, stepSize, invSqrtBc2 } = k;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const m = f(f(mIn[i] * b1) + f(gi * c1));
    const v = f(f(vIn[i] * b2) + f(f(gi * gi) * c2));
    mOut[i] = m;
    vOut[i] = v;
    const denom = f(f(f(Math.sqrt(v)) * invSqrtBc2) + eps);
    pOut[i] = p[i] - f(f(m / denom) * stepSize);
  }
}
