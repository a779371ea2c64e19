import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng.js';

export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  /** Uniform in ±sqrt(6 / (fanIn + fanOut)). */
  | { kind: 'glorotUniform'; fanIn: number; fanOut: number }
  /** Normal with std sqrt(2 / fanIn) (ReLU nets). */
  | { kind: 'heNormal'; fanIn: number }
  | { kind: 'uniform'; low: number; high: number };

/**
 * Named trainable variables of one model. Names are the checkpoint keys, so they must be unique and
 * stable; initial values come from the store's own seeded Rng so a model built twice with one seed is
 * identical on every backend.
 */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly rng: Rng;

  constructor(seed: number, readonly prefix = '') {
    this.rng = new Rng(seed);
  }

  variable(name: string, shape: number[], init: Initializer): tf.Variable {
    const full = this.prefix + name;
    if (this.vars.has(full)) throw new Error(`parameter '${full}' is defined twice`);
    if (shape.some((d) => !Number.isInteger(d) || d <= 0))
      throw new Error(`parameter '${full}' has an invalid shape [${shape.join(', ')}]`);
    const values = initialValues(shape.reduce((a, b) => a * b, 1), init, this.rng.fork());
    const initial = tf.tensor(values, shape, 'float32');
    const v = tf.variable(initial, true, uniqueVariableName(full));
    initial.dispose(); // the variable holds its own reference to the data
    this.vars.set(full, v);
    return v;
  }

  /** A view that defines variables under `prefix/`; they live in this store. */
  scope(prefix: string): ParamScope {
    return new ParamScope(this, prefix.endsWith('/') ? prefix : `${prefix}/`);
  }

  /** Variables in definition order, with their stable names. */
  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  get variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  get size(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

export class ParamScope {
  constructor(
    private readonly store: ParamStore,
    private readonly prefix: string,
  ) {}

  variable(name: string, shape: number[], init: Initializer): tf.Variable {
    return this.store.variable(this.prefix + name, shape, init);
  }

  scope(prefix: string): ParamScope {
    return new ParamScope(this.store, `${this.prefix}${prefix}/`);
  }
}

export type Params = ParamStore | ParamScope;

let variableCounter = 0;
/** tfjs requires globally unique variable names; the stable name is kept by the store. */
function uniqueVariableName(name: string): string {
  variableCounter += 1;
  return `${name}#${variableCounter}`;
}

function initialValues(n: number, init: Initializer, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(init.value);
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
      for (let i = 0; i < n; i++) out[i] = (rng.uniform() * 2 - 1) * limit;
      return out;
    }
    case 'heNormal': {
      const std = Math.sqrt(2 / init.fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
      return out;
    }
    case 'uniform':
      for (let i = 0; i < n; i++) out[i] = init.low + rng.uniform() * (init.high - init.low);
      return out;
  }
}
