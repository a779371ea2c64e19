import { extname, resolve } from 'node:path';
import { evenWeights } from '@yoto/tasks-style/space';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { guardOutput } from '../cli/output-guard.js';
import { DataError, UsageError } from '../errors.js';
import { mustBeFile } from './codec.js';
import { userDir } from '../cli/user-dir.js';
import { fmt } from '../experiments/format.js';

const TASK = 'style-transfer';
const TERMS = ['content', 'style1', 'style2', 'style3', 'style4'] as const;
const ALIASES: Record<string, string> = { c: 'content', s1: 'style1', s2: 'style2', s3: 'style3', s4: 'style4' };
/**
 * The largest image stylized, in pixels (4 megapixels, e.g. 2048×2048). The whole image goes through
 * the network in one piece (no tiling, so no seams and instance-norm statistics over the whole
 * picture); the network's activations at full resolution (16 channels, and 4 × 32 at half) take
 * about 200 bytes per pixel, so 4 MP stays well inside the wasm heap.
 */
export const MAX_STYLIZE_PIXELS = 2048 * 2048;

interface StylizeRequest {
  model: string;
  input: string;
  output: string;
  weights: Record<string, number>;
  sweep: { term: string; values: number[] } | null;
  backend?: string;
  json: boolean;
}

/**
 * `exp stylize`: one image through a trained style-transfer model (YOTO: at any weights inside its
 * training box; a baseline: at its own). Sides are cropped down to multiples of 4 (at most 3 pixels)
 * as the network's two stride-2 stages need. Exit 2 for a wrong command line and for bad data.
 */
export async function stylizeCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const req = parseRequest(args, userDir(io));
  const { BACKEND_CHOICES, CheckpointError, initBackend, loadTrained, writeFileAtomic, encodePng } = await import('@yoto/core');
  if (req.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(req.backend))
    throw new UsageError(`unknown backend '${req.backend}'; backends: ${BACKEND_CHOICES.join(', ')}`);
  const sharp = (await import('sharp')).default;
  let meta: { width?: number; height?: number };
  try {
    meta = await sharp(req.input).metadata();
  } catch (err) {
    throw new DataError(`cannot read image ${req.input}: ${(err as Error).message}`);
  }
  const [w0, h0] = [meta.width ?? 0, meta.height ?? 0];
  if (w0 * h0 > MAX_STYLIZE_PIXELS) throw new UsageError(`${req.input} is ${w0}×${h0}; stylize takes at most ${(MAX_STYLIZE_PIXELS / 1e6).toFixed(1)} megapixels in one piece: downscale it first`);
  const [w, h] = [w0 - (w0 % 4), h0 - (h0 % 4)];
  if (w < 16 || h < 16) throw new UsageError(`${req.input} is ${w0}×${h0}; stylize needs at least 16×16 pixels`);

  const style = await import('@yoto/tasks-style');
  await initBackend(req.backend ?? io.env.YOTO_BACKEND);
  type Model = import('@yoto/tasks-style').StyleModel;
  let loaded: Awaited<ReturnType<typeof loadTrained<Model>>>;
  try {
    // The task and model are rebuilt from the checkpoint alone (the options it was trained with).
    loaded = await loadTrained<Model>(req.model, { task: TASK });
  } catch (err) {
    if (err instanceof CheckpointError) throw new DataError(`--model: ${err.message}`);
    throw err;
  }
  const task = loaded.task as InstanceType<typeof style.StyleTask>;
  const model = loaded.model;
  const tf = await import('@tensorflow/tfjs');
  try {
    // Unnamed weights: the balanced setting of the model's own box (a baseline: its own λ).
    const space = model.space;
    const balanced = style.styleSettings(spaceBox(space))[0].lambda as Record<string, number>;
    const base = loaded.lambda ? Object.fromEntries(TERMS.map((t, i) => [t, loaded.lambda![i]])) : { ...balanced, ...req.weights };
    if (!model.conditioned && (Object.keys(req.weights).length > 0 || req.sweep))
      throw new UsageError(`--model ${req.model} is a fixed-weight baseline (trained at ${TERMS.map((t) => `${t}=${fmt(base[t])}`).join(',')}); --weights and --sweep need the YOTO model`);
    const points = req.sweep ? req.sweep.values.map((v) => ({ ...base, [req.sweep!.term]: v })) : [base];
    for (const p of points)
      for (const t of TERMS) {
        const s = space.support(t);
        if (model.conditioned && (p[t] < s.min - 1e-12 || p[t] > s.max + 1e-12))
          throw new UsageError(`${t}=${fmt(p[t])} lies outside the model's training range [${fmt(s.min)}, ${fmt(s.max)}] for ${t}`);
      }
    const { data } = await sharp(req.input).resize(w, h, { fit: 'cover', position: 'left top' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const x = tf.tidy(() => tf.div(tf.tensor4d(new Uint8Array(data), [1, h, w, 3], 'int32').toFloat(), 255) as import('@tensorflow/tfjs').Tensor4D);
    const frames: Uint8Array[] = [];
    for (const p of points) {
      const y = style.stylizeAt(model, x, TERMS.map((t) => p[t]));
      frames.push(Uint8Array.from(await y.data(), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
      y.dispose();
    }
    x.dispose();
    // A sweep is one strip, frames side by side with a 4-pixel white gap.
    const gap = points.length > 1 ? 4 : 0;
    const W = points.length * w + (points.length - 1) * gap;
    const strip = new Uint8Array(W * h * 3).fill(255);
    frames.forEach((f, k) => {
      for (let r = 0; r < h; r++) strip.set(f.subarray(r * w * 3, (r + 1) * w * 3), (r * W + k * (w + gap)) * 3);
    });
    await writeFileAtomic(req.output, await encodePng(strip, W, h, 3));
    const summary = { output: req.output, width: W, height: h, frames: points.map((p) => Object.fromEntries(TERMS.map((t) => [t, p[t]]))) };
    if (req.json) io.out(JSON.stringify(summary));
    else io.out(`${req.output}: ${W}×${h}${points.length > 1 ? `, ${points.length} frames over ${req.sweep!.term} = ${req.sweep!.values.map((v) => fmt(v)).join(', ')}` : ''}`);
    return 0;
  } finally {
    model.params.dispose();
    task.dispose();
  }
}

/** The content and style ranges of the space (for the balanced default). */
function spaceBox(space: { support(t: string): { min: number; max: number } }): { content: [number, number]; style: [number, number] } {
  const c = space.support('content');
  const s = space.support('style1');
  return { content: [c.min, c.max], style: [s.min, s.max] };
}

function parseRequest(args: ParsedArgs, cwd: string): StylizeRequest {
  const [input, output] = args.positionals;
  const f = args.flags;
  if (f.model === undefined) throw new UsageError('stylize needs --model <checkpoint> (a style-transfer model from `exp run style-adjustable`)');
  const term = (raw: string, what: string): string => {
    const t = ALIASES[raw] ?? raw;
    if (!(TERMS as readonly string[]).includes(t)) throw new UsageError(`${what}: unknown weight '${raw}'; weights: ${TERMS.join(', ')} (or c, s1…s4)`);
    return t;
  };
  const number = (raw: string, what: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`${what} expects a number ≥ 0, got '${raw}'`);
    return v;
  };
  const weights: Record<string, number> = {};
  if (f.weights !== undefined)
    for (const part of String(f.weights).split(',')) {
      const m = /^([^=]+)=(.*)$/.exec(part.trim());
      if (!m) throw new UsageError(`--weights expects term=value pairs separated by commas (e.g. content=1,s1=0.5), got '${part}'`);
      const t = term(m[1].trim(), '--weights');
      if (t in weights) throw new UsageError(`--weights names ${t} twice`);
      weights[t] = number(m[2], `--weights ${t}`);
    }
  let sweep: StylizeRequest['sweep'] = null;
  if (f.sweep !== undefined) {
    const m = /^([^=]+)=([^:]+):([^:]+):([^:]+)$/.exec(String(f.sweep).trim());
    if (!m) throw new UsageError(`--sweep expects term=low:high:count (e.g. content=0.1:1:5), got '${String(f.sweep)}'`);
    const t = term(m[1].trim(), '--sweep');
    const [lo, hi] = [number(m[2], '--sweep low'), number(m[3], '--sweep high')];
    const count = Number(m[4]);
    if (!Number.isInteger(count) || count < 2 || count > 16) throw new UsageError(`--sweep count must be an integer from 2 to 16, got '${m[4]}'`);
    if (!(hi > lo)) throw new UsageError(`--sweep needs low < high, got ${m[2]} and ${m[3]}`);
    if (t in weights) throw new UsageError(`--sweep varies ${t}, which --weights also sets; name it in one of them`);
    sweep = { term: t, values: evenWeights(lo, hi, count) };
  }
  const req: StylizeRequest = { model: resolve(cwd, f.model as string), input: resolve(cwd, input), output: resolve(cwd, output), weights, sweep, backend: f.backend as string | undefined, json: Boolean(f.json) };
  mustBeFile(req.model, '--model: checkpoint');
  mustBeFile(req.input, 'input file');
  if (extname(req.output).toLowerCase() !== '.png') throw new UsageError(`output ${output}: stylize writes PNG; name it *.png`);
  guardOutput(req.output, { inputs: [req.model, req.input], force: Boolean(f.force), extension: '.png' });
  return req;
}

