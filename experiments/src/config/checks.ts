import { UsageError } from '../errors.js';

/*
 * The value checks every experiment's `validate` runs on its resolved config (after `--set`), so a
 * bad value is refused before any worker starts, naming the key, in the same words everywhere.
 */

export function requirePositiveInt(v: number, key: string): void {
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${key} must be a positive integer, got ${v}`);
}

/** `meaningOfZero`, where 0 is special (e.g. "all" for a data limit), is stated in the message. */
export function requireNonNegativeInt(v: number, key: string, meaningOfZero?: string): void {
  const note = meaningOfZero === undefined ? '' : ` (0 = ${meaningOfZero})`;
  if (!Number.isInteger(v) || v < 0) throw new UsageError(`${key} must be an integer ≥ 0${note}, got ${v}`);
}
