import type { Command } from '../cli/command.js';

export const listCommandSpec: Command = {
  usage: 'exp list',
  summary: 'experiments, their profiles and budgets',
  flags: {},
  positionals: [],
  load: async () => {
    const { listCommand } = await import('./list.js');
    return (_args, io) => listCommand(io.out);
  },
};
