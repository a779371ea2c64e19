import * as tf from '@tensorflow/tfjs';
import { assignVariables, compareShapes, readVariables, type NamedArrays } from '../checkpoint/named-arrays.js';
import { adamStepConstants, adamUpdate } from './adam_update.js';
import { allocateFloat32, float32Storage, hasHostStorage } from '@yoto/tfjs-kernels';

export interface AdamConfig {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
}

/** Everything needed to continue an Adam run exactly, keyed by stable parameter name. */
export interface AdamState {
  iteration: number;
  m: NamedArrays;
  v: NamedArrays;
}

/** Validates and fills the defaults; errors name the field. */
export function resolveAdamConfig(c: AdamConfig): Required<AdamConfig> {
  const r = { lr: c.lr, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, epsilon: c.epsilon ?? 1e-8 };
  if (!Number.isFinite(r.lr) || r.lr <= 0) throw new Error(`optimizer.lr must be a finite number > 0, got ${r.lr}`);
  for (const k of ['beta1', 'beta2'] as const)
    if (!(r[k] >= 0 && r[k] < 1)) throw new Error(`optimizer.${k} must be in [0, 1), got ${r[k]}`);
  if (!Number.isFinite(r.epsilon) || r.epsilon <= 0) throw new Error(`optimizer.epsilon must be a finite number > 0, got ${r.epsilon}`);
  return r;
}

/**
 * Adam (Kingma & Ba) with PyTorch's bias correction. The moments live in variables keyed by the
 * parameters' stable names rather than tfjs's run-specific variable names, so they can be saved and
 * restored into a freshly built model. The learning rate is passed per step (schedules).
 */
export class Adam {
  readonly config: Required<AdamConfig>;
  private t = 0;
  private readonly params: [string, tf.Variable][];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private readonly consts: { b1: tf.Scalar; c1: tf.Scalar; b2: tf.Scalar; c2: tf.Scalar; eps: tf.Scalar };
  /** Whether m[i] and v[i] hold storage this optimizer allocated itself, so it may update them in place. */
  private readonly owned: boolean[];

  private readonly hostLoop: boolean;
  /** Per parameter, the factor on the step's learning rate (1 unless the model asks otherwise). */
  private readonly lrScales: number[];

  /**
   * `options.hostLoop: false` forces the op-by-op update everywhere (tests compare the two).
   * `options.lrScale(name)` multiplies the learning rate of one parameter (default 1).
   */
  constructor(params: readonly [string, tf.Variable][], config: AdamConfig, options: { hostLoop?: boolean; lrScale?: (name: string) => number } = {}) {
    this.config = resolveAdamConfig(config);
    this.hostLoop = options.hostLoop ?? true;
    this.params = [...params];
    this.lrScales = this.params.map(([name]) => {
      const s = options.lrScale ? options.lrScale(name) : 1;
      if (!Number.isFinite(s) || s <= 0) throw new Error(`Adam: the learning-rate scale of parameter '${name}' must be a finite number > 0, got ${s}`);
      return s;
    });
    const zeros = (p: tf.Variable): tf.Variable => tf.variable(tf.zerosLike(p), false);
    this.m = this.params.map(([, p]) => tf.tidy(() => zeros(p)));
    this.v = this.params.map(([, p]) => tf.tidy(() => zeros(p)));
    this.owned = this.params.map(() => false);
    const { beta1, beta2, epsilon } = this.config;
    this.consts = { b1: tf.scalar(beta1), c1: tf.scalar(1 - beta1), b2: tf.scalar(beta2), c2: tf.scalar(1 - beta2), eps: tf.scalar(epsilon) };
  }

  /** Completed updates. */
  get iteration(): number {
    return this.t;
  }

  /** One update with `grads[i]` the gradient of the i-th parameter. */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.params.length) throw new Error(`Adam.apply: got ${grads.length} gradients for ${this.params.length} parameters`);
    this.t += 1;
    if (this.canApplyOnHost(grads)) {
      this.applyOnHost(grads, lr);
      return;
    }
    const { beta1, beta2 } = this.config;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2 = 1 - Math.pow(beta2, this.t);
    const { b1, c1, b2, c2, eps } = this.consts;
    tf.tidy(() => {
      const stepSizes = new Map(this.lrScales.map((s) => [s, tf.scalar((lr * s) / bc1)]));
      const invSqrtBc2 = tf.scalar(1 / Math.sqrt(bc2));
      this.params.forEach(([, p], i) => {
        const stepSize = stepSizes.get(this.lrScales[i]) as tf.Scalar;
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, c1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), c2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = tf.add(tf.mul(tf.sqrt(v), invSqrtBc2), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
  }

  /** On wasm and cpu with float32 tensors the update runs as one host loop per parameter. */
  private canApplyOnHost(grads: readonly tf.Tensor[]): boolean {
    return this.hostLoop && hasHostStorage() && this.params.every(([, p], i) => p.dtype === 'float32' && grads[i].dtype === 'float32' && grads[i].size === p.size);
  }

  /**
   * Bit-identical to the op-by-op update (see adamUpdate). Parameters always get new storage: tensors
   * saved or cached by tfjs (XNNPACK's packed weights are keyed by tensor) must not change under
   * them. The moments are private and, once their storage is our own, are updated in place.
   */
  private applyOnHost(grads: readonly tf.Tensor[], lr: number): void {
    const { beta1, beta2, epsilon } = this.config;
    const constants = new Map(this.lrScales.map((s) => [s, adamStepConstants(beta1, beta2, epsilon, lr * s, this.t)]));
    const storage = (t: tf.Tensor): Float32Array => {
      const s = float32Storage(t);
      if (!s) throw new Error(`Adam: no host storage for a ${t.dtype} tensor on backend '${tf.getBackend()}'`);
      return s;
    };
    this.params.forEach(([, p], i) => {
      const pNew = allocateFloat32(p.shape);
      const inPlace = this.owned[i];
      const mNew = inPlace ? null : allocateFloat32(p.shape);
      const vNew = inPlace ? null : allocateFloat32(p.shape);
      // Views are taken after every allocation (a growing wasm heap detaches earlier views).
      const m = storage(this.m[i]);
      const v = storage(this.v[i]);
      const k = constants.get(this.lrScales[i]) as ReturnType<typeof adamStepConstants>;
      adamUpdate(storage(p), storage(grads[i]), m, v, storage(pNew), mNew ? storage(mNew) : m, vNew ? storage(vNew) : v, k);
      p.assign(pNew);
      pNew.dispose();
      if (mNew && vNew) {
        this.m[i].assign(mNew);
        this.v[i].assign(vNew);
        mNew.dispose();
        vNew.dispose();
        this.owned[i] = true;
      }
    });
  }

  async getState(): Promise<AdamState> {
    const named = (vars: tf.Variable[]): [string, tf.Variable][] => this.params.map(([n], i) => [n, vars[i]]);
    return { iteration: this.t, m: await readVariables(named(this.m)), v: await readVariables(named(this.v)) };
  }

  /** Restores a saved state; `source` names where it came from in error messages. */
  setState(state: AdamState, source: string): void {
    if (!Number.isInteger(state.iteration) || state.iteration < 0) throw new Error(`${source}: Adam iteration must be an integer ≥ 0, got ${state.iteration}`);
    const shapes = this.params.map(([n, p]): [string, number[]] => [n, p.shape]);
    for (const slot of ['m', 'v'] as const) {
      const problems = compareShapes(shapes, state[slot]);
      if (problems.length) throw new Error(`${source}: Adam ${slot} does not match the model: ${problems.join('; ')}`);
    }
    assignVariables(this.params.map(([n], i) => [n, this.m[i]]), state.m);
    assignVariables(this.params.map(([n], i) => [n, this.v[i]]), state.v);
    // The restored values may share memory with the caller's arrays (tfjs-backend-cpu keeps them).
    this.owned.fill(false);
    this.t = state.iteration;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
    for (const c of Object.values(this.consts)) c.dispose();
  }
}
