import type { Command } from '../cli/command.js';
import { queue } from './shared-flags.js';

export const workerCommandSpec: Command = {
  usage: 'exp worker --queue redis://host:port [--concurrency n]',
  summary: 'take runs from the queue and train/evaluate them here until Ctrl-C (which checkpoints and releases them)',
  flags: {
    queue,
    concurrency: { type: 'int', value: 'n', help: 'jobs at once, each in its own process (default 1)' },
  },
  positionals: [],
  load: async () => (await import('./worker.js')).workerCommand,
};
