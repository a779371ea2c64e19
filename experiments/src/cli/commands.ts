import type { FlagSpecs } from './args.js';

export interface CommandSpec {
  usage: string;
  summary: string;
  flags: FlagSpecs;
  /** Positional arguments: exact count required. */
  positionals: string[];
}

const json = { type: 'boolean', help: 'print a JSON document (for `run`: as the last line)' } as const;
const profile = { type: 'string', value: 'name', help: 'profile: smoke, default or full (see `exp list`)' } as const;
const force = { type: 'boolean', help: 'replace the output file if it exists (never one the command reads)' } as const;
const set = {
  type: 'string',
  multiple: true,
  value: 'key=value',
  help: 'override a config value by dotted path (repeatable; `exp show-config <experiment>` lists the keys)',
} as const;

/** Every command of `pnpm exp`, its flags and one line of help. */
export const COMMANDS: Record<string, CommandSpec> = {
  list: { usage: 'exp list', summary: 'experiments, their profiles and budgets', flags: {}, positionals: [] },
  run: {
    usage: 'exp run <experiment> [--profile p] [--workers n] [--backend b] [--set key=value]... [--retry-failed] [--json]',
    summary: 'train YOTO + baselines in parallel workers, evaluate, record, report (resumes unfinished runs)',
    flags: {
      profile,
      workers: { type: 'int', value: 'n', help: 'parallel worker processes (default: one per core)' },
      backend: { type: 'string', value: 'b', help: 'tfjs backend: auto, node-gpu, node, wasm or cpu (default: YOTO_BACKEND, else auto)' },
      set,
      'retry-failed': { type: 'boolean', help: 'train runs that failed earlier again (by default they are reported, not retrained)' },
      json,
    },
    positionals: ['experiment'],
  },
  report: {
    usage: 'exp report <experiment> [--profile p] [--set key=value]...',
    summary: 're-render the report of an experiment from the tracker',
    flags: { profile, set },
    positionals: ['experiment'],
  },
  'show-config': {
    usage: 'exp show-config <experiment> [--profile p] [--set key=value]...',
    summary: 'the resolved config, its settable keys and the budget',
    flags: { profile, set, json },
    positionals: ['experiment'],
  },
  runs: {
    usage: 'exp runs [--experiment name] [--status s] [--kind yoto|baseline] [--json]',
    summary: 'runs recorded in the tracker',
    flags: {
      experiment: { type: 'string', value: 'name', help: 'only runs of this experiment' },
      status: { type: 'string', value: 's', help: 'only runs with this status', choices: ['running', 'finished', 'failed', 'killed', 'crashed'] },
      kind: { type: 'string', value: 'k', help: 'only yoto or baseline runs', choices: ['yoto', 'baseline'] },
      json,
    },
    positionals: [],
  },
  show: {
    usage: 'exp show <run-id> [--json]',
    summary: 'one run: config, status, timing, latest metrics, evaluation points',
    flags: { json },
    positionals: ['run-id'],
  },
  export: {
    usage: 'exp export [--format csv|json] [--out file [--force]] [--experiment name]',
    summary: 'evaluation points as CSV or JSON (stdout unless --out)',
    flags: {
      format: { type: 'string', value: 'csv|json', help: 'output format (default csv)', choices: ['csv', 'json'] },
      out: { type: 'string', value: 'file', help: 'write here (atomically) instead of stdout' },
      experiment: { type: 'string', value: 'name', help: 'only this experiment' },
      force,
    },
    positionals: [],
  },
  help: { usage: 'exp help [command]', summary: 'this help, or one command’s flags', flags: {}, positionals: [] },
  codec: {
    usage:
      'exp codec compress --model <checkpoint> (--lambda x | --target-bpp b) [--force] <in.png> <out.yoto> | ' +
      'exp codec decompress --model <checkpoint> [--force] <in.yoto> <out.png>',
    summary: 'compress an image with a trained compression model at a λ or a target rate, or decompress a .yoto file',
    flags: {
      model: { type: 'string', value: 'checkpoint', help: 'a bls-factorized checkpoint (yoto-results/checkpoints/<run id>/checkpoint.yotockpt)' },
      lambda: { type: 'string', value: 'x', help: 'compress: the rate–distortion trade-off λ (within the model’s training range)' },
      'target-bpp': { type: 'string', value: 'b', help: 'compress: search λ on the model for at most this many bits per pixel' },
      backend: { type: 'string', value: 'b', help: 'tfjs backend: auto, node-gpu, node, wasm or cpu (default: YOTO_BACKEND, else auto)' },
      force,
      json,
    },
    positionals: ['compress|decompress', 'input', 'output'],
  },
  stylize: {
    usage: 'exp stylize --model <checkpoint> [--weights content=1,style1=0.5,…] [--sweep term=low:high:count] [--force] <in.jpg|png> <out.png>',
    summary: 'stylize an image with a trained style-transfer model at chosen loss weights, or a strip over one weight',
    flags: {
      model: { type: 'string', value: 'checkpoint', help: 'a style-transfer checkpoint (from `exp run style-adjustable`)' },
      weights: { type: 'string', value: 'term=x,…', help: 'loss weights: content, style1…style4 (or s1…s4); unnamed terms take the balanced setting' },
      sweep: { type: 'string', value: 'term=low:high:count', help: 'write a strip of the image over `count` values of one weight instead of one image' },
      backend: { type: 'string', value: 'b', help: 'tfjs backend: auto, node-gpu, node, wasm or cpu (default: YOTO_BACKEND, else auto)' },
      force,
      json,
    },
    positionals: ['input', 'output'],
  },
  explore: {
    usage: 'exp explore <experiment> [--profile p] [--port n] [--run id]',
    summary: 'serve the interactive trade-off page (the YOTO model in the browser, one slider per coefficient) on 127.0.0.1',
    flags: {
      profile,
      port: { type: 'int', value: 'n', help: 'port on 127.0.0.1 (default 7878, or any free one when it is taken; 0: any free port)' },
      run: { type: 'int', value: 'id', help: 'the YOTO run to explore (default: the latest finished one of the current config)' },
    },
    positionals: ['experiment'],
  },
};
