import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { tsxLoader } from '../runner/pool.js';

const CLI = join(import.meta.dirname, '..', 'cli.ts');

/** How an `exp` process ended, with all it printed. */
export interface CliEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An `exp` command running in a process of its own. */
export interface CliProcess {
  child: ChildProcess;
  /** What it has printed on stderr so far. */
  stderr(): string;
  done: Promise<CliEnd>;
}

/** Processes a test file started and has not seen end: killed when the file's tests are over. */
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `exp <args>` as `pnpm exp` does (node with tsx's loader), with this process's environment
 * plus `env`, for the tests whose subject is the process itself: signals, exit codes, several
 * processes at once. The rest call the command in-process with `runCli`.
 */
export function spawnCli(args: readonly string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['--import', tsxLoader(), CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliEnd>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, stderr: () => stderr, done };
}

/** Resolves once what `p` has printed on stderr contains `text`, or rejects if it ends first. */
export async function untilPrinted(p: CliProcess, text: string): Promise<void> {
  while (!p.stderr().includes(text)) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      const end = await p.done;
      throw new Error(`exp ended (${end.code ?? end.signal}) before printing '${text}':\n${end.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
