import type { Command } from '../cli/command.js';
import { backend, jsonLastLine, profile, queue, set } from './shared-flags.js';

export const runCommandSpec: Command = {
  usage: 'exp run <experiment> [--profile p] [--workers n] [--backend b] [--set key=value]... [--retry-failed] [--queue redis://host:port] [--json]',
  summary: 'train YOTO + baselines in parallel workers, evaluate, record, report (resumes unfinished runs)',
  flags: {
    profile,
    workers: { type: 'int', value: 'n', help: 'parallel worker processes (default: one per core)' },
    backend,
    set,
    'retry-failed': { type: 'boolean', help: 'train runs that failed earlier again (by default they are reported, not retrained)' },
    queue: { ...queue, help: 'enqueue the runs for `exp worker`s instead of training here; shows their progress and writes the report' },
    json: jsonLastLine,
  },
  positionals: ['experiment'],
  load: async () => (await import('./run.js')).runCommand,
};
