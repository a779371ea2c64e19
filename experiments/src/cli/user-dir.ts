import type { CliIo } from './main.js';

/**
 * The folder the user typed the command in, against which the paths they name (images, bitstreams,
 * `--out`) resolve. `pnpm exp` runs the CLI in the repository root, so `io.cwd` is not it; pnpm
 * passes the user's folder as INIT_CWD. Results (`YOTO_HOME`) are another matter: they default to
 * the repository's `yoto-results/` wherever the command is typed.
 */
export function userDir(io: Pick<CliIo, 'env' | 'cwd'>): string {
  return io.env.INIT_CWD || io.cwd;
}
