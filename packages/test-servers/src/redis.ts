import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * A throw-away redis-server on loopback for tests, persisting to an append-only file in a temporary
 * folder so that `restart()` brings the queue back as it was (as a real deployment's would).
 */
export interface RedisServer {
  url: string;
  /**
   * Stops the server (a clean shutdown, as a service restart does) and starts it again on the same
   * port and data, after `downMs` (default 0) with nothing listening.
   */
  restart(downMs?: number): Promise<void>;
  stop(): void;
}

export type RedisStart = { ok: true; server: RedisServer } | { ok: false; why: string };

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export async function startRedis(): Promise<RedisStart> {
  const bin = which('redis-server');
  if (!bin) return { ok: false, why: 'redis-server is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'yoto-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'no'];
  let child: ChildProcess | null = null;
  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-300)}`)), 30_000);
      c.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (code ${code}): ${out.slice(-300)}`));
      });
    });
  const halt = (): Promise<void> =>
    new Promise((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, why: `redis-server could not be started: ${(err as Error).message}` };
  }
  return {
    ok: true,
    server: {
      url: `redis://127.0.0.1:${port}`,
      async restart(downMs = 0) {
        await halt();
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        await launch();
      },
      stop() {
        (child as ChildProcess | null)?.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}
