/**
 * `pnpm bench <name> [args]`: runs one registered benchmark module. Each module exports
 * `main(args: string[]): Promise<unknown>`; a number it resolves to is the exit code (anything else
 * means success). Packages add theirs by adding a line to BENCHMARKS.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { debugging } from '../experiments/src/cli/user-errors.js';

const BENCHMARKS: Record<string, { module: string; about: string }> = {
  kernels: { module: 'packages/core/bench/kernels.ts', about: 'conv backprop kernels: ours vs tfjs’s own, on wasm and cpu' },
  bls: { module: 'packages/tasks-compression/bench/bls.ts', about: 'compression model (N=64, M=96, 128×128, batch 8): training images/s; --reference runs PyTorch too' },
  codec: { module: 'packages/tasks-compression/bench/codec.ts', about: 'rANS entropy coder alone: encode/decode MB/s and Msymbols/s' },
  vae: { module: 'packages/tasks-vae/bench/vae.ts', about: 'benchmark VAE (28×28, batch 64) through core’s trainer: training images/s; --reference runs PyTorch too' },
  explore: { module: 'experiments/bench/explore.ts', about: 'explorer page: slider-to-picture latency in headless Chromium (software WebGL and wasm); needs a finished run under YOTO_HOME' },
  style: { module: 'packages/tasks-style/bench/style.ts', about: 'style-adjustable network (64×64, batch 4, MobileNet loss): training images/s, and inference images/s at 512×512' },
  tracker: { module: 'packages/tracker/bench/tracker.ts', about: 'tracker: logging rows/s and report build time for 1,000,000 metric rows' },
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function usage(): string {
  const width = Math.max(...Object.keys(BENCHMARKS).map((n) => n.length));
  const lines = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(width)}  ${b.about}`);
  return ['usage: pnpm bench <name> [args]   (pnpm bench <name> --help for its options)', '', 'benchmarks:', ...lines].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  // No name is the way to list the benchmarks (README, Benchmarks), so it succeeds like --help.
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  const entry = BENCHMARKS[name];
  if (!entry) {
    console.error(`unknown benchmark ${JSON.stringify(name)}; known: ${Object.keys(BENCHMARKS).join(', ')}\n\n${usage()}`);
    return 2;
  }
  const path = resolve(root, entry.module);
  if (!existsSync(path)) {
    console.error(`benchmark ${name}: module ${entry.module} does not exist`);
    return 2;
  }
  const mod = (await import(pathToFileURL(path).href)) as { main?: (args: string[]) => Promise<unknown> };
  if (typeof mod.main !== 'function') {
    console.error(`benchmark ${name}: ${entry.module} does not export main(args)`);
    return 2;
  }
  const code = await mod.main(args);
  return typeof code === 'number' ? code : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A bad flag or a missing reference is one line, as in `pnpm exp`; YOTO_DEBUG=1 shows where.
    const message = err instanceof Error ? err.message : String(err);
    console.error(debugging(process.env) && err instanceof Error ? (err.stack ?? message) : `error: ${message}`);
    // A bad command line (@yoto/flags' FlagError, code 'USAGE') exits 2 as in `pnpm exp`; a failure 1.
    process.exit((err as { code?: unknown } | null)?.code === 'USAGE' ? 2 : 1);
  },
);
