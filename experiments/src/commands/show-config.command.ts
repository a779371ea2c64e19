import type { Command } from '../cli/command.js';
import { json, profile, set } from './shared-flags.js';

export const showConfigCommandSpec: Command = {
  usage: 'exp show-config <experiment> [--profile p] [--set key=value]... [--json]',
  summary: 'the resolved config, its settable keys and the budget',
  flags: { profile, set, json },
  positionals: ['experiment'],
  load: async () => (await import('./show-config.js')).showConfigCommand,
};
