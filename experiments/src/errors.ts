/**
 * A mistake in what the user typed (unknown experiment, profile, flag or key, a value of the wrong
 * type). The CLI prints the message, which lists what exists, and exits with code 2 — the
 * conventional "usage" status — so scripts can tell a typo from a failed run (code 1).
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Bad data rather than a bad command line: an unreadable or corrupt input file, a missing dataset.
 * The CLI prints the message alone (it names the file) and exits with code 2, as for every error
 * the user can cause and mend; code 1 is kept for a run that failed and for bugs.
 */
export class DataError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataError';
  }
}

/** "a, b and c" — for error messages that list what exists. */
export function listOf(items: readonly string[]): string {
  if (items.length === 0) return '(none)';
  return items.join(', ');
}
