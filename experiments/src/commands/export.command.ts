import type { Command } from '../cli/command.js';
import { force } from './shared-flags.js';

export const exportCommandSpec: Command = {
  usage: 'exp export [--format csv|json] [--out file [--force]] [--experiment name]',
  summary: 'evaluation points as CSV or JSON (stdout unless --out)',
  flags: {
    format: { type: 'string', value: 'csv|json', help: 'output format (default csv)', choices: ['csv', 'json'] },
    out: { type: 'string', value: 'file', help: 'write here (atomically) instead of stdout' },
    experiment: { type: 'string', value: 'name', help: 'only this experiment' },
    force,
  },
  positionals: [],
  load: async () => (await import('./export.js')).exportCommand,
};
