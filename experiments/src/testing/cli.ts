import { main, type CliIo } from '../cli/main.js';

/** What one `exp` command did: its exit code, and its stdout and stderr lines joined by newlines. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `exp <argv>` in this process with the environment and working folder given, as a shell would
 * start it there, and captures what it prints (the live progress display is dropped). A test fixes
 * `env` and `cwd` once in its own one-line `cli`.
 */
export async function runCli(argv: readonly string[], where: { env: NodeJS.ProcessEnv; cwd: string }): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), progress: { write: () => true }, env: where.env, cwd: where.cwd };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
