import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { DataError, UsageError } from '../errors.js';
import { guardOutput } from '../cli/output-guard.js';
import { refuseOversizedImage } from './image-limit.js';
import { userDir } from '../cli/user-dir.js';

const USAGE =
  'exp codec compress --model <checkpoint> (--lambda x | --target-bpp b) <in.png|jpg> <out.yoto>, ' +
  'or exp codec decompress --model <checkpoint> <in.yoto> <out.png>';

interface CodecRequest {
  action: 'compress' | 'decompress';
  model: string;
  input: string;
  output: string;
  lambda?: number;
  targetBpp?: number;
  backend?: string;
  json: boolean;
}

/**
 * `exp codec compress|decompress`: a thin front end over the library's file codec
 * (`compressFile` / `decompressFile`), with a model rebuilt from its checkpoint by core's
 * `loadTrained` (any checkpoint of the compression task, e.g. from `exp run compression-rd-sweep`).
 * Exit 2 for a wrong command line (flags, λ out of the model's range, missing files) and for bad data
 * (a corrupt or foreign bitstream, an unreadable image or checkpoint), with a message that names the file.
 */
export async function codecCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const req = parseRequest(args, userDir(io));
  if (req.action === 'compress') await refuseOversizedImage(req.input);
  const { BACKEND_CHOICES, CheckpointError, initBackend, loadTrained } = await import('@yoto/core');
  if (req.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(req.backend))
    throw new UsageError(`unknown backend '${req.backend}'; backends: ${BACKEND_CHOICES.join(', ')}`);
  const codec = await import('@yoto/tasks-compression');
  await initBackend(req.backend ?? io.env.YOTO_BACKEND);

  let trained: Awaited<ReturnType<typeof loadTrained<Model>>>;
  try {
    trained = await loadTrained<Model>(req.model, { task: codec.TASK_NAME });
  } catch (err) {
    if (err instanceof CheckpointError) throw new DataError(`--model: ${err.message}`);
    throw err;
  }
  const model = trained.model;
  try {
    if (req.action === 'compress') return await compress(req, model, trained.lambda, codec, io);
    return await decompress(req, model, codec, io);
  } finally {
    model.params.dispose();
  }
}

function parseRequest(args: ParsedArgs, cwd: string): CodecRequest {
  const [action, input, output] = args.positionals;
  if (action !== 'compress' && action !== 'decompress') throw new UsageError(`unknown codec action '${action}'; actions: compress, decompress; usage: ${USAGE}`);
  const f = args.flags;
  if (f.model === undefined) throw new UsageError(`codec ${action} needs --model <checkpoint>; usage: ${USAGE}`);
  const number = (name: string): number | undefined => {
    const raw = f[name] as string | undefined;
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} expects a number > 0, got '${raw}'`);
    return v;
  };
  const lambda = number('lambda');
  const targetBpp = number('target-bpp');
  if (action === 'compress') {
    if (lambda === undefined && targetBpp === undefined) throw new UsageError(`codec compress needs --lambda x or --target-bpp b; usage: ${USAGE}`);
    if (lambda !== undefined && targetBpp !== undefined) throw new UsageError('codec compress takes --lambda or --target-bpp, not both');
  } else if (lambda !== undefined || targetBpp !== undefined)
    throw new UsageError('codec decompress takes no --lambda or --target-bpp: the λ is read from the bitstream');
  const model = resolve(cwd, f.model as string);
  const req: CodecRequest = {
    action,
    model,
    input: resolve(cwd, input),
    output: resolve(cwd, output),
    lambda,
    targetBpp,
    backend: f.backend as string | undefined,
    json: Boolean(f.json),
  };
  mustBeFile(req.model, '--model: checkpoint');
  mustBeFile(req.input, 'input file');
  if (action === 'decompress' && extname(req.output).toLowerCase() !== '.png')
    throw new UsageError(`output ${output}: decompress writes PNG (lossless, so the decoded pixels are kept); name it *.png`);
  guardOutput(req.output, { inputs: [req.model, req.input], force: Boolean(f.force), extension: action === 'compress' ? '.yoto' : undefined });
  return req;
}

/** Exit 2 naming `what` when `path` is missing or not a file. */
export function mustBeFile(path: string, what: string): void {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist`);
  if (!statSync(path).isFile()) throw new UsageError(`${what} ${path} is not a file`);
}

type Codec = typeof import('@yoto/tasks-compression');
type Model = import('@yoto/tasks-compression').CompressionModel;

async function compress(req: CodecRequest, model: Model, ownLambda: number[] | null, codec: Codec, io: CliIo): Promise<number> {
  const hi = model.lambdaRange[1];
  if (!model.conditioned) {
    // A baseline codes at the λ it was trained for; another λ would only be a wrong header field.
    const own = ownLambda?.[0];
    if (req.targetBpp !== undefined)
      throw new UsageError(`--target-bpp needs a YOTO (λ-conditioned) model; ${req.model} is a fixed-λ baseline${own ? ` (λ = ${own}); use --lambda ${own}` : ''}`);
    if (own !== undefined && Math.abs(req.lambda! / own - 1) > 1e-6)
      throw new UsageError(`--lambda ${req.lambda}: ${req.model} is a fixed-λ baseline trained for λ = ${own}; use --lambda ${own}`);
  }
  let result: Awaited<ReturnType<Codec['compressFile']>>;
  try {
    result = await codec.compressFile(model, req.input, req.output, req.targetBpp !== undefined ? { targetBpp: req.targetBpp } : { lambda: req.lambda! });
  } catch (err) {
    if (err instanceof codec.LambdaRangeError) throw new UsageError(`--lambda ${err.lambda} is outside what this model was trained for: λ in [${err.low}, ${err.high}]`);
    const code = (err as { code?: unknown }).code;
    if (code === 'IMAGE_HAS_ALPHA')
      throw new DataError(`${req.input} has transparent pixels, which the codec does not store; flatten it onto a background first (e.g. \`magick in.png -background white -flatten in-rgb.png\`)`);
    if (code === 'IMAGE_UNDECODABLE') throw new DataError((err as Error).message);
    throw err;
  }
  const target = 'targetBpp' in result ? (result as ReturnType<Codec['compressToBpp']>) : null;
  const summary = {
    action: 'compress',
    input: req.input,
    output: req.output,
    width: result.width,
    height: result.height,
    bytes: result.bytes.length,
    bpp: result.bpp,
    lambda: result.lambda,
    ...(target ? { targetBpp: target.targetBpp, reached: target.reached, probes: target.probes.length } : {}),
  };
  if (target) {
    io.out(
      target.reached
        ? `target ${target.targetBpp} bpp: λ = ${prec(result.lambda)} found in ${target.probes.length} probes, ${prec(result.bpp)} bpp reached`
        : `target ${target.targetBpp} bpp: not reachable with this model; its lowest λ = ${prec(result.lambda)} gives ${prec(result.bpp)} bpp (written anyway)`,
    );
    if (!target.reached) io.err(`warning: ${req.output} is larger than the ${target.targetBpp} bpp asked for (${prec(result.bpp)} bpp)`);
    // The top of the λ range chosen with room to spare: the target is above anything this model codes at.
    else if (result.lambda >= hi * (1 - 1e-9) && result.bpp < target.targetBpp)
      io.err(`note: ${target.targetBpp} bpp is out of reach: this model spends at most ${prec(result.bpp)} bpp here (its highest λ = ${prec(hi)}, its best quality)`);
  }
  io.out(`${req.input} (${result.width}×${result.height}) → ${req.output}: ${result.bytes.length} bytes, ${prec(result.bpp)} bpp at λ = ${prec(result.lambda)}`);
  if (req.json) io.out(JSON.stringify(summary));
  return 0;
}

async function decompress(req: CodecRequest, model: Model, codec: Codec, io: CliIo): Promise<number> {
  let result: Awaited<ReturnType<Codec['decompressFile']>>;
  try {
    result = await codec.decompressFile(model, req.input, req.output);
  } catch (err) {
    if (err instanceof codec.BitstreamError) throw new DataError(`${req.input}: cannot decode (${err.code}): ${err.message}`);
    throw err;
  }
  const { width, height } = result.image;
  const bytes = statSync(req.input).size;
  io.out(`${req.input} → ${req.output}: ${width}×${height}, λ = ${prec(result.header.lambda)}, ${prec((bytes * 8) / (width * height))} bpp`);
  if (req.json) io.out(JSON.stringify({ action: 'decompress', input: req.input, output: req.output, width, height, lambda: result.header.lambda, bytes }));
  return 0;
}

function prec(v: number): string {
  return String(Number(v.toPrecision(4)));
}
