import type { Command } from '../cli/command.js';
import { json } from './shared-flags.js';

export const showCommandSpec: Command = {
  usage: 'exp show <run-id> [--json]',
  summary: 'one run: config, status, timing, latest metrics, evaluation points',
  flags: { json },
  positionals: ['run-id'],
  load: async () => (await import('./show.js')).showCommand,
};
