// Errors a user can cause: one message, the same exit code in every command, no stack trace unless
// YOTO_DEBUG=1. Each case here printed a raw error or a trace before (issue 16, point 5).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetNotFoundError } from '@yoto/core';
import { openTracker, TrackerError } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../errors.js';
import { runCli } from '../testing/cli.js';
import { classifyError, reportError } from './user-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-user-errors-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { env, cwd: dir });

/**
 * Runs `fn` as an unprivileged user: root ignores permission bits, so a read-only file is only
 * read-only to someone else (the tests run as root in CI containers). The effective uid is
 * switched back afterwards (the real uid stays 0, which allows it).
 */
async function unprivileged<T>(fn: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0) return fn();
  process.seteuid!(65534);
  try {
    return await fn();
  } finally {
    process.seteuid!(0);
  }
}

const noTrace = (text: string): void => expect(text).not.toMatch(/^\s+at /m);

describe('YOTO_HOME the commands cannot use', () => {
  it('a file: every command says so (exit 2) instead of EEXIST or "nothing has run"', async () => {
    const file = join(dir, 'home-file');
    writeFileSync(file, 'not a folder');
    for (const argv of [['run', 'vae-beta-sweep', '--profile', 'smoke'], ['runs'], ['export'], ['show', '1'], ['report', 'vae-beta-sweep']]) {
      const r = await cli({ YOTO_HOME: file }, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toBe(`error: YOTO_HOME=${file} is a file, not a folder; point YOTO_HOME at a folder for the results`);
    }
  });

  it('empty: runs, export, show and report all answer exit 2 with the same line', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    for (const argv of [['runs'], ['export'], ['show', '1'], ['report', 'vae-beta-sweep']]) {
      const r = await cli({ YOTO_HOME: empty }, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(`nothing recorded under ${empty} yet; run \`pnpm exp run ${argv[0] === 'report' ? 'vae-beta-sweep' : '<experiment>'}\` first`);
      noTrace(r.err);
    }
  });

  it('in a read-only folder, or with a read-only tracker.db: refused before anything runs', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    const ro = join(dir, 'ro-db');
    mkdirSync(ro);
    chmodSync(ro, 0o777);
    openTracker(join(ro, 'tracker.db')).close();
    chmodSync(join(ro, 'tracker.db'), 0o444);
    const [inLocked, roDb] = await unprivileged(async () => [
      await cli({ YOTO_HOME: join(locked, 'home') }, 'run', 'vae-beta-sweep', '--profile', 'smoke'),
      await cli({ YOTO_HOME: ro }, 'run', 'vae-beta-sweep', '--profile', 'smoke'),
    ]);
    expect(inLocked.code).toBe(2);
    expect(inLocked.err).toBe(
      `error: cannot write results to YOTO_HOME=${join(locked, 'home')}: ${join(locked, 'home')}: permission denied (EACCES); choose a folder you can write`,
    );
    expect(roDb.code).toBe(2);
    expect(roDb.err).toBe(`error: ${join(ro, 'tracker.db')} is read-only; the run records into it: make it writable (chmod u+w) or choose another YOTO_HOME`);
  });
});

describe('YOTO_TRACKER_RETRY_MS that is not whole milliseconds', () => {
  it('run (with a PostgreSQL tracker) and worker refuse it in one line, exit 2, before anything starts', async () => {
    const env = { YOTO_HOME: join(dir, 'retry-home'), YOTO_TRACKER: 'postgres://db.invalid/yoto', YOTO_TRACKER_RETRY_MS: 'a minute' };
    for (const argv of [['run', 'vae-beta-sweep', '--profile', 'smoke'], ['runs'], ['worker', '--queue', 'redis://127.0.0.1:1']]) {
      const r = await cli(env, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toBe('error: YOTO_TRACKER_RETRY_MS=a minute must be a whole number of milliseconds (0: do not retry)');
    }
  });
});

describe('one owner classifies errors', () => {
  it('by class or code, the same way for every command', () => {
    expect(classifyError(new UsageError('u'))).toEqual({ exitCode: 2, message: 'u', expected: true });
    expect(classifyError(new DataError('d'))).toEqual({ exitCode: 2, message: 'd', expected: true });
    expect(classifyError(new TrackerError('UNKNOWN_RUN', 'unknown run id 9'))).toMatchObject({ exitCode: 2, expected: true });
    expect(classifyError(new TrackerError('DB_CORRUPT', 'corrupt'))).toMatchObject({ exitCode: 2, expected: true });
    expect(classifyError(new DatasetNotFoundError('kodak', 'dataset kodak not found'))).toMatchObject({ exitCode: 2, expected: true });
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/x/y'"), { code: 'EACCES', path: '/x/y' });
    expect(classifyError(eacces)).toEqual({ exitCode: 2, message: '/x/y: permission denied (EACCES)', expected: true });
    // A class that merely calls itself UsageError is not one.
    const impostor = Object.assign(new Error('boom'), { name: 'UsageError' });
    expect(classifyError(impostor)).toMatchObject({ exitCode: 1, expected: false });
  });

  it('prints a stack trace only with YOTO_DEBUG=1', () => {
    const lines: string[] = [];
    const bug = new TypeError('x is undefined');
    expect(reportError(bug, { err: (l) => lines.push(l), env: {} })).toBe(1);
    expect(lines).toEqual(['error: x is undefined', '(an unexpected error: set YOTO_DEBUG=1 to see where it happened)']);
    lines.length = 0;
    expect(reportError(new UsageError('bad'), { err: (l) => lines.push(l), env: { YOTO_DEBUG: '1' } })).toBe(2);
    expect(lines[0]).toBe('error: bad');
    expect(lines.join('\n')).toMatch(/^\s+at /m);
  });
});
