import { DataError, UsageError } from '../errors.js';

/**
 * The one place that decides how an error reaches the user. Every command throws; `main` hands
 * the error here, so the same kind of error answers the same way in every command:
 *
 * - exit 2, the message only: what the user typed or set up — arguments (UsageError), the tracker's
 *   "no such run/experiment/format", and the file system refusing a path the user chose (YOTO_HOME,
 *   --out: permission denied, read-only, a file where a folder belongs);
 * - exit 2, the message only: bad data — a corrupt or foreign input file, a missing dataset
 *   (DataError and core's DatasetNotFoundError), which name the file: the user caused it and can
 *   mend it, like a typo, so scripts see one code for "fix your input" and 1 for "it broke";
 * - exit 1, the message and a hint: anything else, i.e. a bug.
 *
 * Stack traces appear only with `YOTO_DEBUG=1`: for a known mistake they bury the one line that
 * matters, and a user who reports a bug can rerun with the variable set.
 *
 * Errors are recognised by class (`instanceof`) where the class is the CLI's own, and by their
 * `code` property where it belongs to a package the CLI loads lazily (the tracker, core) or to Node
 * (system errors), so printing an error never loads tfjs or SQLite.
 */
export interface ErrorSink {
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

/** The tracker's codes that mean "you named something that is not there" or "pointed at the wrong file". */
const TRACKER_USAGE_CODES = new Set(['UNKNOWN_EXPERIMENT', 'UNKNOWN_RUN', 'INVALID_FORMAT', 'DB_NOT_TRACKER', 'DB_TOO_NEW', 'DB_MISSING']);
const TRACKER_DATA_CODES = new Set(['DB_CORRUPT', 'DB_UNREACHABLE']);
const DATA_CODES = new Set(['DATASET_NOT_FOUND', 'DATASET_CORRUPT']);

/** Node's codes for a path the file system refuses: the user's environment, not our bug. */
const SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'a file is in the way',
  ENOTDIR: 'a file is where a folder belongs',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'no such file or folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

export interface Classified {
  exitCode: 1 | 2;
  message: string;
  /** False for unexpected errors (bugs): the printout says how to see the trace. */
  expected: boolean;
}

export function classifyError(err: unknown): Classified {
  if (err instanceof UsageError) return { exitCode: 2, message: err.message, expected: true };
  if (err instanceof DataError) return { exitCode: 2, message: err.message, expected: true };
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    const message = (err as Error).message;
    if (TRACKER_USAGE_CODES.has(code)) return { exitCode: 2, message, expected: true };
    if (TRACKER_DATA_CODES.has(code) || DATA_CODES.has(code)) return { exitCode: 2, message, expected: true };
    const reason = SYSTEM_REASONS[code];
    const path = (err as { path?: unknown }).path;
    if (reason !== undefined && typeof path === 'string') return { exitCode: 2, message: `${path}: ${reason} (${code})`, expected: true };
  }
  const message = err instanceof Error ? err.message || err.name : String(err);
  return { exitCode: 1, message, expected: false };
}

/** Prints `err` as `classifyError` says and returns the exit code. */
export function reportError(err: unknown, io: ErrorSink): number {
  const c = classifyError(err);
  io.err(`error: ${c.expected ? withoutTrace(c.message) : firstLines(c.message)}`);
  if (debugging(io.env)) {
    for (let e: unknown = err; e instanceof Error; e = e.cause) io.err(e.stack ?? String(e));
  } else if (!c.expected) io.err('(an unexpected error: set YOTO_DEBUG=1 to see where it happened)');
  return c.exitCode;
}

export function debugging(env: NodeJS.ProcessEnv): boolean {
  const v = env.YOTO_DEBUG?.trim();
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Some libraries put a trace into the message itself; it goes, the rest (e.g. a list of keys) stays. */
function withoutTrace(message: string): string {
  return message
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .join('\n');
}

/**
 * An unexpected error's message can carry a whole log tail; the user gets its first two lines
 * (everything is in the trace under YOTO_DEBUG=1).
 */
function firstLines(message: string): string {
  const lines = withoutTrace(message).split('\n');
  return lines.length <= 2 ? lines.join('\n') : `${lines.slice(0, 2).join('\n')} …`;
}
