import * as tf from '@tensorflow/tfjs';
import { registerKernelFixes } from '@yoto/tfjs-kernels';
import { disableNativeKernels, enableNativeKernels, type NativeKernels } from './native.js';
import { threadBudget } from './threads.js';

import { BACKEND_CHOICES, type BackendChoice } from './choices.js';

export { BACKEND_CHOICES, type BackendChoice } from './choices.js';

export interface BackendInfo {
  /** The backend in use: 'node-gpu' | 'node' | 'wasm+dnnl' | 'wasm' | 'cpu'. */
  name: string;
  /** What was asked for ('auto' or a concrete name). */
  requested: string;
  /** Why this backend was chosen, in words (for run records and logs). */
  reason: string;
  /** Backends tried before the chosen one (auto only), and why each was passed over. */
  skipped: { name: string; why: string }[];
  /** tfjs's own name for the active backend (`tensorflow` for both native packages). */
  tfBackend: string;
  /** With `wasm+dnnl`: the native library and the threads it runs on. */
  native?: NativeKernels;
}

type Concrete = Exclude<BackendChoice, 'auto'>;

const AUTO_ORDER: readonly Concrete[] = ['node-gpu', 'node', 'wasm+dnnl', 'wasm', 'cpu'];

/** Native packages are optional: they download libtensorflow at install time, which needs internet. */
const NATIVE: Record<'node-gpu' | 'node', { pkg: string; needs: string }> = {
  'node-gpu': { pkg: '@tensorflow/tfjs-node-gpu', needs: 'needs CUDA and internet at install time' },
  node: { pkg: '@tensorflow/tfjs-node', needs: 'needs internet at install time' },
};

class Unavailable extends Error {}

function installHint(name: 'node-gpu' | 'node'): string {
  const { pkg, needs } = NATIVE[name];
  return `install it with \`pnpm add -w ${pkg}\` (${needs})`;
}

function isModuleNotFound(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string };
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message ?? '').includes(pkg);
}

interface Activated {
  tfBackend: string;
  native?: NativeKernels;
}

/** Loads a concrete backend and makes it active; throws Unavailable (with the reason) if it cannot. */
async function activate(name: Concrete): Promise<Activated> {
  if (name === 'wasm+dnnl') {
    const { tfBackend } = await activate('wasm');
    const on = enableNativeKernels(threadBudget());
    if (!on.ok) throw new Unavailable(`native kernels unavailable: ${on.why}`);
    return { tfBackend, native: on.native };
  }
  disableNativeKernels();
  if (name === 'node-gpu' || name === 'node') {
    const { pkg } = NATIVE[name];
    try {
      // A variable specifier keeps bundlers and vite from resolving an optional package eagerly.
      const spec = pkg;
      await import(/* @vite-ignore */ spec);
    } catch (err) {
      if (isModuleNotFound(err, pkg)) throw new Unavailable(`${pkg} is not installed; ${installHint(name)}`);
      throw new Unavailable(`${pkg} is installed but failed to load: ${(err as Error).message}`);
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Unavailable(`${pkg} loaded but the 'tensorflow' backend failed to initialise`);
    return { tfBackend: 'tensorflow' };
  }
  if (name === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
    } catch (err) {
      throw new Unavailable(`@tensorflow/tfjs-backend-wasm failed to load: ${(err as Error).message}`);
    }
    if (!(await tf.setBackend('wasm'))) throw new Unavailable('the wasm backend failed to initialise (see the tfjs warning above)');
    return { tfBackend: 'wasm' };
  }
  if (!(await tf.setBackend('cpu'))) throw new Unavailable('the cpu backend failed to initialise');
  return { tfBackend: 'cpu' };
}

function parseChoice(choice: string, source: string): BackendChoice {
  const c = choice.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(c)) return c as BackendChoice;
  throw new Error(`Unknown backend ${JSON.stringify(choice)} (from ${source}); expected one of: ${BACKEND_CHOICES.join(', ')}`);
}

let warned = false;
/** The fallback from native kernels to plain wasm is said once per process, on stderr. */
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`${message}\n`);
}

let current: BackendInfo | null = null;
let queue: Promise<unknown> = Promise.resolve();

async function init(choice: BackendChoice, source: string): Promise<BackendInfo> {
  // Kernel fixes first: they must be in place before any op runs on wasm or cpu.
  registerKernelFixes();
  if (current && current.requested === choice && tf.getBackend() === current.tfBackend) return current;
  if (choice !== 'auto') {
    try {
      const a = await activate(choice);
      current = { name: choice, requested: choice, reason: `requested explicitly (${source})`, skipped: [], ...a };
      return current;
    } catch (err) {
      if (err instanceof Unavailable) throw new Error(`Backend '${choice}' (from ${source}) is not available: ${err.message}`);
      throw err;
    }
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of AUTO_ORDER) {
    try {
      const a = await activate(name);
      const reason = skipped.length === 0 ? `auto: ${name} is the first choice and loaded` : `auto: first that loaded after ${skipped.map((s) => s.name).join(', ')}`;
      current = { name, requested: 'auto', reason, skipped, ...a };
      return current;
    } catch (err) {
      if (!(err instanceof Unavailable)) throw err;
      skipped.push({ name, why: err.message });
      if (name === 'wasm+dnnl') warnOnce(err.message);
    }
  }
  throw new Error(`No tfjs backend could be initialised: ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`);
}

/**
 * What a run records about the kernels it ran on: the backend as initBackend named it (`wasm+dnnl`,
 * where tfjs itself says `wasm`) and the threads its kernels use — the native library's count, 1 for
 * wasm and cpu (single-threaded here), null where this project does not set it (tfjs-node). A backend
 * set behind initBackend's back is reported by tfjs's name.
 */
export function runBackend(): { backend: string; threads: number | null } {
  const active = current && tf.getBackend() === current.tfBackend ? current : null;
  const backend = active?.name ?? tf.getBackend();
  return { backend, threads: active?.native?.threads ?? (backend === 'wasm' || backend === 'cpu' ? 1 : null) };
}

/**
 * Selects and initialises the tfjs backend, and registers this project's conv kernel fixes for wasm
 * and cpu. `choice` defaults to `YOTO_BACKEND`, then 'auto'. Safe to call repeatedly (and
 * concurrently): the same request returns the same info; a different one switches backends.
 */
export async function initBackend(choice?: BackendChoice | string): Promise<BackendInfo> {
  let parsed: BackendChoice;
  let source: string;
  if (choice !== undefined) {
    if (typeof choice !== 'string') throw new Error(`initBackend: choice must be a string, got ${typeof choice}`);
    parsed = parseChoice(choice, 'argument');
    source = 'argument';
  } else if (process.env.YOTO_BACKEND !== undefined && process.env.YOTO_BACKEND.trim() !== '') {
    parsed = parseChoice(process.env.YOTO_BACKEND, 'YOTO_BACKEND');
    source = 'YOTO_BACKEND';
  } else {
    parsed = 'auto';
    source = 'default';
  }
  const run = queue.then(() => init(parsed, source));
  queue = run.catch(() => undefined);
  return run;
}
