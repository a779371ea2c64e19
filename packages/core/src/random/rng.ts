/**
 * Seeded pseudo-random numbers that do not depend on the tfjs backend, so that sampling (λ, data
 * order, initial weights) is reproducible and its state can be stored in a checkpoint.
 * sfc32: small state (four 32-bit words), good statistical quality, cheap in JavaScript.
 */
export type RngState = readonly [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | RngState) {
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
      // splitmix32 spreads any integer seed over the four state words.
      let s = Math.floor(seed) >>> 0;
      const next = (): number => {
        s = (s + 0x9e3779b9) >>> 0;
        let z = s;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        return (z ^ (z >>> 16)) >>> 0;
      };
      this.a = next();
      this.b = next();
      this.c = next();
      this.d = next();
      for (let i = 0; i < 12; i++) this.nextUint32();
    } else {
      if (seed.length !== 4 || seed.some((v) => !Number.isInteger(v)))
        throw new Error(`Rng state must be four 32-bit integers, got ${JSON.stringify(seed)}`);
      [this.a, this.b, this.c, this.d] = seed.map((v) => v >>> 0) as [number, number, number, number];
    }
  }

  /** The full state; `new Rng(rng.state())` continues the same sequence. */
  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, one value per call so the state alone determines the stream). */
  normal(): number {
    let u = this.uniform();
    while (u <= 1e-12) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang; used for Dirichlet sampling. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`Rng.gamma needs a positive shape, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform() || 1e-12, 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** An independent generator derived from this one (for a sub-stream such as one layer's init). */
  fork(): Rng {
    return new Rng([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
  }
}
