import type { Command } from '../cli/command.js';
import { profile, set } from './shared-flags.js';

export const reportCommandSpec: Command = {
  usage: 'exp report <experiment> [--profile p] [--set key=value]...',
  summary: 're-render the report of an experiment from the tracker',
  flags: { profile, set },
  positionals: ['experiment'],
  load: async () => (await import('./report.js')).reportCommand,
};
