import * as tf from '@tensorflow/tfjs';

/** Float32 values with their shape, keyed by a stable name (parameter names, optimizer slots). */
export type NamedArrays = Record<string, { shape: number[]; values: Float32Array }>;

/** Copies variables' values to the host (one read per variable). */
export async function readVariables(entries: readonly [string, tf.Variable][]): Promise<NamedArrays> {
  const out: NamedArrays = {};
  for (const [name, v] of entries) out[name] = { shape: [...v.shape], values: Float32Array.from(await v.data()) };
  return out;
}

/**
 * Differences between the names and shapes `expected` (the model) and `actual` (a file) hold: missing,
 * extra and reshaped entries, as human-readable lines; empty when they agree.
 */
export function compareShapes(expected: readonly [string, readonly number[]][], actual: NamedArrays): string[] {
  const problems: string[] = [];
  const want = new Map(expected);
  const missing = [...want.keys()].filter((n) => !(n in actual));
  const extra = Object.keys(actual).filter((n) => !want.has(n));
  if (missing.length) problems.push(`missing ${missing.length} variable(s): ${list(missing)}`);
  if (extra.length) problems.push(`${extra.length} unexpected variable(s): ${list(extra)}`);
  for (const [name, shape] of want) {
    const got = actual[name];
    if (got && !sameShape(shape, got.shape)) problems.push(`'${name}' has shape [${got.shape.join(', ')}], the model expects [${shape.join(', ')}]`);
  }
  return problems;
}

/** Assigns `values` to the variables; shapes must have been checked with compareShapes. */
export function assignVariables(entries: readonly [string, tf.Variable][], values: NamedArrays): void {
  for (const [name, v] of entries) {
    const a = values[name];
    tf.tidy(() => v.assign(tf.tensor(a.values, a.shape, 'float32')));
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function list(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `'${n}'`).join(', ');
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}
