import { z } from 'zod';

/*
 * The building blocks of experiment config schemas. A config key is one line: a zod schema with its
 * default, its checks and its meta (what it means, its unit). The schema is the only validator: the
 * `--set` parser reads a key's kind from it, `exp show-config` prints its unit and description, and
 * every refusal is one of its issues (see issues.ts).
 */

/** What `exp show-config` prints beside a key. */
export interface KeyMeta {
  description: string;
  /** e.g. 'steps', 'px', 'nats'; absent for plain counts and names. */
  unit?: string;
  [k: string]: unknown;
}

const doc = (description: string, unit?: string): KeyMeta => (unit ? { description, unit } : { description });

/** A group of keys. Unknown keys are refused (a profile cannot set what nothing reads); absent: every default. */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape).prefault({} as never);
}

/** An integer ≥ 1 (counts, sizes, budgets). */
export const count = (value: number, description: string, unit?: string) => z.int().min(1).default(value).meta(doc(description, unit));

/** An integer ≥ 0 where 0 means "all" (data limits). */
export const limit = (value: number, description: string) => z.int().min(0).default(value).meta(doc(`${description} (0 = all)`));

/** An integer ≥ 0 (offsets). */
export const nonNegative = (value: number, description: string, unit?: string) => z.int().min(0).default(value).meta(doc(description, unit));

/** A number > 0 (rates, scales, coefficients). */
export const positive = (value: number, description: string, unit?: string) => z.number().positive().default(value).meta(doc(description, unit));

/** Any finite number. */
export const number = (value: number, description: string, unit?: string) => z.number().default(value).meta(doc(description, unit));

/** One of a fixed set of names. */
export const choice = <const T extends readonly [string, ...string[]]>(values: T, value: T[number], description: string) =>
  z.enum(values).default(value as never).meta(doc(description));

export const flag = (value: boolean, description: string) => z.boolean().default(value).meta(doc(description));

export const text = (value: string, description: string) => z.string().default(value).meta(doc(description));

/** A non-empty list of distinct numbers (λ values, qualities). */
export const numbers = (value: number[], description: string, unit?: string) =>
  z.array(z.number()).min(1).refine(distinct, { message: 'must not list a value twice' }).default(value).meta(doc(description, unit));

/** A list of exactly `n` channel counts. */
export const widths = (n: number, value: number[], description: string) => z.array(z.int().min(1)).length(n).default(value).meta(doc(description, 'channels'));

/** A non-empty list of distinct names, each one of `values`. */
export const choices = <const T extends readonly [string, ...string[]]>(values: T, value: T[number][], description: string) =>
  z.array(z.enum(values)).min(1).refine(distinct, { message: 'must not name a value twice' }).default(value as never).meta(doc(description));

function distinct(xs: readonly unknown[]): boolean {
  return new Set(xs).size === xs.length;
}

/** The `train` section every sweep shares; `value` gives the experiment's defaults. */
export function trainSection(value: { batchSize: number; learningRate: number; schedule: 'cosine' | 'constant'; checkpointEvery: number; logEvery: number; warmupSteps?: number; clipGradNorm?: number }) {
  return section({
    batchSize: count(value.batchSize, 'examples per training step'),
    learningRate: positive(value.learningRate, 'Adam learning rate'),
    schedule: choice(['cosine', 'constant'], value.schedule, "learning-rate schedule over each run's own steps ('cosine' decays to 0)"),
    checkpointEvery: count(value.checkpointEvery, 'checkpoint every this many steps (and on stop)', 'steps'),
    logEvery: count(value.logEvery, 'log step metrics every this many steps', 'steps'),
    warmupSteps: nonNegative(value.warmupSteps ?? 0, 'linear learning-rate warm-up over the first steps of each run (0 = none)', 'steps'),
    clipGradNorm: z.number().min(0).default(value.clipGradNorm ?? 0).meta(doc("rescale each step's gradients to at most this global norm (0 = no clipping)")),
  });
}

/** `yoto: { steps, …extra }`: the YOTO model's budget, and keys of an experiment's own for its YOTO run. */
export const yotoSection = <S extends z.ZodRawShape = Record<never, never>>(steps: number, extra: S = {} as S) =>
  section({ steps: count(steps, "the YOTO model's training budget", 'steps'), ...extra });

/** `{ low, high }`: the range of the swept coefficient (written `symbol` in descriptions); check it with checkRange. */
export const rangeSection = (symbol: string, low: number, high: number) =>
  section({ low: positive(low, `lowest ${symbol} the YOTO model trains at`), high: positive(high, `highest ${symbol} the YOTO model trains at`) });

/** `baselines.steps`: every baseline's budget. */
export const baselineSteps = (steps: number) => count(steps, "each baseline's training budget", 'steps');

/** `seed`: one seed for every run (same initial model, same data order), so runs with different budgets compare. */
export const seedKey = (value = 1) => z.int().default(value).meta(doc('seed of every run (initial weights and data order)'));

/** An integer ≥ 2 (grid sizes: a curve needs two points). */
export const points = (value: number, description: string) => z.int().min(2).default(value).meta(doc(description, 'points'));

/*
 * Cross-key checks, for a config's `.superRefine`: each adds one issue at the key that is wrong, so
 * the refusal names it like any other.
 */

/** `low < high` of a `{ low, high }` range at `key`. */
export function checkRange(ctx: z.RefinementCtx, key: string, r: { low: number; high: number }): void {
  if (!(r.low < r.high)) ctx.addIssue({ code: 'custom', path: [...key.split('.'), 'low'], message: `must be below ${key}.high (${r.high})` });
}

/** Every value of the list at `key` inside the YOTO range (a baseline outside it would be an unfair comparison). */
export function checkInside(ctx: z.RefinementCtx, key: string, values: readonly number[], r: { low: number; high: number }, symbol: string): void {
  const out = values.find((v) => !(v >= r.low && v <= r.high));
  if (out !== undefined)
    ctx.addIssue({ code: 'custom', path: key.split('.'), message: `must lie in the YOTO range [${r.low}, ${r.high}] (${symbol}=${out} does not)` });
}
