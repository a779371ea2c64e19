/** Why a tracker operation failed; callers (the CLI) branch on `code`, users read `message`. */
export type TrackerErrorCode =
  | 'DB_MISSING'
  | 'DB_CORRUPT'
  | 'DB_UNREACHABLE'
  | 'DB_NOT_TRACKER'
  | 'DB_TOO_NEW'
  | 'MIGRATION_FAILED'
  | 'UNKNOWN_EXPERIMENT'
  | 'UNKNOWN_RUN'
  | 'DUPLICATE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_FORMAT'
  | 'RUN_CLOSED'
  | 'RUN_TAKEN_OVER'
  | 'RUN_ACTIVE';

export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  constructor(
    readonly code: TrackerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
