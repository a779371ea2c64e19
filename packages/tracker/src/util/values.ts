import { TrackerError } from '../errors.js';

/**
 * SQLite has no NaN (it stores NULL) and JSON has neither NaN nor ±Inf, so non-finite metric values
 * are stored as NULL plus a flag and restored on read.
 */
export const ValueFlag = { Finite: 0, NaN: 1, PosInf: 2, NegInf: 3 } as const;
export type ValueFlag = (typeof ValueFlag)[keyof typeof ValueFlag];

export function flagOf(v: number): ValueFlag {
  if (Number.isFinite(v)) return ValueFlag.Finite;
  if (Number.isNaN(v)) return ValueFlag.NaN;
  return v > 0 ? ValueFlag.PosInf : ValueFlag.NegInf;
}

export function restoreValue(value: number | null, flag: number): number {
  switch (flag) {
    case ValueFlag.NaN:
      return Number.NaN;
    case ValueFlag.PosInf:
      return Number.POSITIVE_INFINITY;
    case ValueFlag.NegInf:
      return Number.NEGATIVE_INFINITY;
    default:
      return value ?? Number.NaN;
  }
}

/** λ vectors are stored as JSON with sorted keys so that equal vectors compare equal as text. */
export function canonicalLambda(lambda: Record<string, number>, what = 'lambda'): string {
  if (lambda === null || typeof lambda !== 'object' || Array.isArray(lambda)) {
    throw new TrackerError('INVALID_ARGUMENT', `${what} must be an object of term → coefficient, got ${describe(lambda)}`);
  }
  const keys = Object.keys(lambda).sort();
  if (keys.length === 0) throw new TrackerError('INVALID_ARGUMENT', `${what} must name at least one term`);
  const out: Record<string, number> = {};
  for (const k of keys) {
    const v = lambda[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TrackerError('INVALID_ARGUMENT', `${what}.${k} must be a finite number, got ${describe(v)}`);
    }
    out[k] = v;
  }
  return JSON.stringify(out);
}

export function parseJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** JSON for config/params; rejects what would not round-trip (functions, cycles, bigint). */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (err) {
    throw new TrackerError('INVALID_ARGUMENT', `${what} must be JSON-serialisable: ${(err as Error).message}`);
  }
  if (text === undefined) throw new TrackerError('INVALID_ARGUMENT', `${what} must be JSON-serialisable, got ${describe(value)}`);
  return text;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * The same λ vector: the same terms, each coefficient equal within a relative 1e-6 (values come back
 * from JSON and SQL, and a grid point and a baseline's λ are computed apart). The report pairs YOTO and
 * baseline points with it, and so does the runner's summary, so both compare the same points.
 */
export function sameLambda(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && Math.abs(a[k] - b[k]) <= 1e-6 * Math.max(Math.abs(a[k]), Math.abs(b[k])));
}
