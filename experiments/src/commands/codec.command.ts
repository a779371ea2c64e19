import type { Command } from '../cli/command.js';
import { backend, force, json } from './shared-flags.js';

export const codecCommandSpec: Command = {
  usage:
    'exp codec compress --model <checkpoint> (--lambda x | --target-bpp b) [--force] <in.png> <out.yoto> | ' +
    'exp codec decompress --model <checkpoint> [--force] <in.yoto> <out.png>',
  summary: 'compress an image with a trained compression model at a λ or a target rate, or decompress a .yoto file',
  flags: {
    model: { type: 'string', value: 'checkpoint', help: 'a compression-rd-sweep checkpoint (task bls-factorized, factorized or hyperprior prior; yoto-results/checkpoints/<run id>/checkpoint.yotockpt)' },
    lambda: { type: 'string', value: 'x', help: 'compress: the rate–distortion trade-off λ (within the model’s training range)' },
    'target-bpp': { type: 'string', value: 'b', help: 'compress: search λ on the model for at most this many bits per pixel' },
    backend,
    force,
    json,
  },
  positionals: ['compress|decompress', 'input', 'output'],
  load: async () => (await import('./codec.js')).codecCommand,
};
