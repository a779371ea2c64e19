import type { Command } from '../cli/command.js';
import { json } from './shared-flags.js';

export const runsCommandSpec: Command = {
  usage: 'exp runs [--experiment name] [--status s] [--kind yoto|baseline] [--json]',
  summary: 'runs recorded in the tracker',
  flags: {
    experiment: { type: 'string', value: 'name', help: 'only runs of this experiment' },
    status: { type: 'string', value: 's', help: 'only runs with this status', choices: ['running', 'finished', 'failed', 'killed', 'crashed'] },
    kind: { type: 'string', value: 'k', help: 'only yoto or baseline runs', choices: ['yoto', 'baseline'] },
    json,
  },
  positionals: [],
  load: async () => (await import('./runs.js')).runsCommand,
};
