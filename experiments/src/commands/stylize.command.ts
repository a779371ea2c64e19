import type { Command } from '../cli/command.js';
import { backend, force, json } from './shared-flags.js';

export const stylizeCommandSpec: Command = {
  usage: 'exp stylize --model <checkpoint> [--weights content=1,style1=0.5,…] [--sweep term=low:high:count] [--force] <in.jpg|png> <out.png>',
  summary: 'stylize an image with a trained style-transfer model at chosen loss weights, or a strip over one weight',
  flags: {
    model: { type: 'string', value: 'checkpoint', help: 'a style-transfer checkpoint (from `exp run style-adjustable`)' },
    weights: { type: 'string', value: 'term=x,…', help: 'loss weights: content, style1…style4 (or s1…s4); unnamed terms take the balanced setting' },
    sweep: { type: 'string', value: 'term=low:high:count', help: 'write a strip of the image over `count` values of one weight instead of one image' },
    backend,
    force,
    json,
  },
  positionals: ['input', 'output'],
  load: async () => (await import('./stylize.js')).stylizeCommand,
};
