import { execFileSync } from 'node:child_process';

/** True unless the OS says no such process exists (EPERM means it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `git describe --always --dirty --abbrev=40` of `cwd`, or null outside a git work tree. */
export function detectGitRevision(cwd = process.cwd()): string | null {
  try {
    const out = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=40'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    });
    return out.toString().trim() || null;
  } catch {
    return null;
  }
}
