import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const TSX = pathToFileURL(require.resolve('tsx')).href;
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs child.ts in a fresh Node process (through tsx), as a parallel training would run. */
export function spawnWriter(db: string, mode: string, name: string, rows: number, startAt?: number) {
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, CHILD, db, mode, name, String(rows), ...(startAt ? [String(startAt)] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('ready\n')) onReady();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // A child that hangs must not hang the suite: the test then fails on its assertions instead.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<ChildResult>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      // 'exit' can precede the last stdio data; 'close' follows it.
      child.on('close', () => resolve({ code, signal, stdout, stderr }));
    }),
  );
  return { child, ready, exit };
}
