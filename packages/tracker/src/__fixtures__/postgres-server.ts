import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PostgresDatabase } from '../db/postgres.js';

/**
 * A throw-away PostgreSQL server on loopback for tests: a fresh cluster in a temporary folder, trust
 * authentication, no fsync. PostgreSQL refuses to run as root, so under root the cluster belongs to
 * the `postgres` system user (Debian's package creates it) and its programs run through `runuser`.
 */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/` — append a database name. */
  readonly baseUrl: string;
  /** A new, empty database; returns its URL. */
  createDatabase(): string;
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
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
  try {
    execFileSync(...as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']), opts);
    const server = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    execFileSync(...as('pg_ctl', ['-D', data, '-o', server, '-l', join(dir, 'log'), '-w', '-t', '120', 'start']), opts);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    return { ok: false, why: `postgresql could not be started: ${(e.stderr?.toString() || e.message).trim().split('\n').pop()}` };
  }
  const baseUrl = `postgres://postgres@127.0.0.1:${port}/`;
  let admin: PostgresDatabase | null = null;
  let n = 0;
  return {
    ok: true,
    server: {
      baseUrl,
      createDatabase() {
        admin ??= new PostgresDatabase(`${baseUrl}postgres`, 'test admin');
        const name = `t${process.pid}_${++n}`;
        admin.exec(`CREATE DATABASE ${name}`);
        return `${baseUrl}${name}`;
      },
      stop() {
        admin?.close();
        try {
          execFileSync(...as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), opts);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  };
}
