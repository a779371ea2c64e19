import { execFile, execFileSync, type ChildProcess, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

/**
 * A throw-away PostgreSQL server on loopback for tests: a fresh cluster in a temporary folder, trust
 * authentication, no fsync. PostgreSQL refuses to run as root, so under root the cluster belongs to
 * the `postgres` system user (Debian's package creates it) and its programs run through `runuser`.
 * One server per test file is enough: `createDatabase()` gives each test its own database.
 */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/` — append a database name. */
  readonly baseUrl: string;
  /** A new, empty database; returns its URL. */
  createDatabase(): string;
  /**
   * Stops the server as a service restart does (`pg_ctl stop -m fast`: open sessions are ended, the
   * clients see their connections drop) and starts it again on the same port and data, after `downMs`
   * (default 0) with nothing listening. Runs in a child process: it goes on while the caller waits
   * synchronously; resolves once the server accepts connections again.
   */
  restart(downMs?: number): Promise<void>;
  stop(): void;
}

export type PostgresStart = { ok: true; server: PostgresServer } | { ok: false; why: string };

/** The folder with initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
function findBinDir(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return null;
}

/** A word for sh -c. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** createdb beside initdb (Debian keeps both in the version's bin folder), else the one on PATH. */
function findCreatedb(bin: string): string {
  return existsSync(join(bin, 'createdb')) ? join(bin, 'createdb') : 'createdb';
}

export async function startPostgres(): Promise<PostgresStart> {
  const bin = findBinDir();
  if (!bin) return { ok: false, why: 'postgresql is not installed (no initdb/pg_ctl on PATH or under /usr/lib/postgresql)' };
  const root = userInfo().uid === 0;
  let owner: { uid: number; gid: number } | null = null;
  if (root) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      owner = { uid: id('-u'), gid: id('-g') };
    } catch {
      return { ok: false, why: 'running as root and there is no postgres system user to run postgresql as' };
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'yoto-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const as = (cmd: string, args: string[]): [string, string[]] => (root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args]);
  const opts: ExecFileSyncOptions = { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, cwd: dir };
  const server = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = as('pg_ctl', ['-D', data, '-o', server, '-l', join(dir, 'log'), '-w', '-t', '120', 'start']);
  try {
    execFileSync(...as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']), opts);
    execFileSync(...start, opts);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    return { ok: false, why: `postgresql could not be started: ${(e.stderr?.toString() || e.message).trim().split('\n').pop()}` };
  }
  const run = promisify(execFile);
  const createdb = findCreatedb(bin);
  const baseUrl = `postgres://postgres@127.0.0.1:${port}/`;
  let n = 0;
  let restarting: ChildProcess | null = null;
  return {
    ok: true,
    server: {
      baseUrl,
      createDatabase() {
        const name = `t${process.pid}_${++n}`;
        execFileSync(createdb, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name], opts);
        return `${baseUrl}${name}`;
      },
      restart(downMs = 0) {
        // One shell for stop, wait and start: it goes on while the caller's thread is blocked in a
        // synchronous tracker call that waits for the server (the behaviour under test).
        const line = (cmd: [string, string[]]) => [cmd[0], ...cmd[1]].map(quote).join(' ');
        const script = `${line(as('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '120', 'stop']))} && sleep ${downMs / 1000} && ${line(start)}`;
        const shell = run('sh', ['-c', script], { cwd: dir });
        restarting = shell.child;
        return shell.then(() => undefined).finally(() => (restarting = null));
      },
      stop() {
        // A test that failed mid-restart: no start may follow the stop.
        restarting?.kill('SIGKILL');
        try {
          execFileSync(...as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), opts);
        } catch {
          // Not running as pg_ctl sees it (caught mid-restart): end whatever the pid file names.
          try {
            process.kill(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGKILL');
          } catch {
            // Nothing is running.
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  };
}
