import type { Command } from '../cli/command.js';

export const helpCommandSpec: Command = {
  usage: 'exp help [command]',
  summary: 'this help, or one command’s flags',
  flags: {},
  positionals: [],
  optionalPositionals: ['command'],
  load: async () => {
    const { printHelp } = await import('../cli/help.js');
    return (args, io) => printHelp(args.positionals[0], io);
  },
};
