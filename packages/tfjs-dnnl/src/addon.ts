import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled addon (native/: addon.cc exports convolution.cc's, matmul.cc's, elementwise.cc's and adam.cc's kernels). */
export interface DnnlAddon {
  /**
   * One convolution pass on the wasm heap (byte offsets; see native/convolution.cc for the operand
   * order); `filterToken` (src/filter-tokens.ts, −1: none) lets a reordered filter be reused.
   * Returns the name of the oneDNN implementation that ran.
   */
  conv(pass: number, geometry: Int32Array, heap: ArrayBuffer, a: number, b: number, c: number, layout: number, biasOffset: number, activation: number, alpha: number, filterToken: number): string;
  /**
   * Batched matrix product on the wasm heap, dims [batch, batchA, batchB, m, k, n, transposeA,
   * transposeB, hasBias, activation]; the bias (one value per column) at `bias` when hasBias.
   */
  matmul(dims: Int32Array, heap: ArrayBuffer, a: number, b: number, c: number, bias: number, alpha: number): void;
  /** y = op(x) over n float32 values (codes: UNARY in src/kernels/elementwise.ts). */
  unary(op: number, heap: ArrayBuffer, x: number, y: number, n: number): void;
  /** c = op(a, b) over the iteration `dims` (src/kernels/elementwise.ts's broadcastIteration; codes: BINARY). */
  binary(op: number, dims: Int32Array, heap: ArrayBuffer, a: number, b: number, c: number): void;
  /** y[o, i] = Σ_r x[o, r, i] over dims [outer, reduced, inner]. */
  sum(dims: Int32Array, heap: ArrayBuffer, x: number, y: number): void;
  /**
   * Adam's update of one parameter (native/adam.cc): byte offsets of [p, g, mIn, vIn, pOut, mOut,
   * vOut] on the heap, n values each, constants [b1, c1, b2, c2, eps, stepSize, invSqrtBc2].
   */
  adam(heap: ArrayBuffer, offsets: Float64Array, n: number, constants: Float32Array): void;
  setThreads(n: number): void;
  threads(): number;
  version(): string;
  /** Primitives created so far (one per kernel form and shape). */
  cacheSize(): number;
  /** The reordered-filter cache: hits and misses since load, copies held, their bytes, the capacity. */
  filterCacheStats(): { hits: number; misses: number; entries: number; bytes: number; capacity: number };
  /** Capacity of the reordered-filter cache in bytes (default 128 MiB; 0 turns it off). */
  setFilterCacheBytes(bytes: number): void;
}

export type AddonStatus = { ok: true; addon: DnnlAddon; path: string } | { ok: false; why: string };

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PATH = join(packageRoot, 'build', 'Release', 'dnnl_kernels.node');
const INSTALL_HINT = 'apt-get install libdnnl-dev';

/** Why the install hook did not build the addon, as it recorded it (native-status.json). */
function recordedReason(): string | null {
  try {
    const s = JSON.parse(readFileSync(join(packageRoot, 'native-status.json'), 'utf8')) as { why?: unknown };
    return typeof s.why === 'string' ? s.why : null;
  } catch {
    return null;
  }
}

let cached: AddonStatus | undefined;

/**
 * Loads the addon once. `YOTO_DNNL_ADDON` names another addon file (tests point it at a missing one
 * to exercise the fallback). Never throws: a missing build or library comes back as `why`.
 */
export function loadAddon(): AddonStatus {
  if (cached) return cached;
  const path = process.env.YOTO_DNNL_ADDON?.trim() || DEFAULT_PATH;
  if (!existsSync(path)) {
    const recorded = path === DEFAULT_PATH ? recordedReason() : null;
    cached = { ok: false, why: recorded ?? `the addon is not built (${path} is missing; after ${INSTALL_HINT}, build it with \`pnpm --filter @yoto/tfjs-dnnl run install\`)` };
    return cached;
  }
  // libgomp reads this once, when it loads with libdnnl. Its default lets idle threads spin after
  // every parallel region, which on a busy machine (or beside the single-threaded wasm work between
  // convolutions) steals the cores the next region waits for: measured on a loaded 2-core machine,
  // a vae step on 2 threads took 405 CPU-ms spinning vs 73–85 passive (69 on 1 thread).
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  try {
    const addon = createRequire(import.meta.url)(path) as DnnlAddon;
    cached = { ok: true, addon, path };
  } catch (err) {
    const msg = (err as Error).message;
    cached = { ok: false, why: /libdnnl/.test(msg) ? `libdnnl not found (${msg.split('\n')[0]}); ${INSTALL_HINT}` : `the addon failed to load: ${msg.split('\n')[0]}` };
  }
  return cached;
}
