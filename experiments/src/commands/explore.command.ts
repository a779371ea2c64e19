import type { Command } from '../cli/command.js';
import { profile } from './shared-flags.js';

export const exploreCommandSpec: Command = {
  usage: 'exp explore <experiment> [--profile p] [--port n] [--run id]',
  summary: 'serve the interactive trade-off page (the YOTO model in the browser, one slider per coefficient) on 127.0.0.1',
  flags: {
    profile,
    port: { type: 'int', value: 'n', help: 'port on 127.0.0.1 (default 7878, or any free one when it is taken; 0: any free port)' },
    run: { type: 'int', value: 'id', help: 'the YOTO run to explore (default: the latest finished one of the current config)' },
  },
  positionals: ['experiment'],
  load: async () => (await import('./explore.js')).exploreCommand,
};
