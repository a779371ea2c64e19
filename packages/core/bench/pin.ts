/**
 * Pinning the kernels bench to fixed cores: the native kernels' thread and the anchor on the same ones.
 *
 * Why: the two cores of this machine (a VM's vCPUs) do not always run a pass at one speed (2026-12-07
 * 14:12–14:14 UTC, `OMP_PLACES={0}` then `{1}`, twice each: bls a1's input gradient at 26.9–28.7 G
 * multiply-adds/s on CPU 0 and 37.5–38.6 on CPU 1, the native kernel and the anchor alike), and
 * unpinned the scheduler places node's main thread and the anchor on its own, so the two reps of a
 * pair could run on different cores. Full paired runs alternating, 13:45–14:10 UTC
 * (docs/native-kernels.md §12): unpinned, 31, 30, 29 and 32 of 33 passes met (bls a1's input gradient
 * at 0.72, quartiles 0.71–0.73, native 28.1 against the anchor's 38.9: the two cores' speeds); pinned, 33
 * of 33 in all six.
 *
 * How: libgomp, the OpenMP runtime Debian's oneDNN uses, binds the thread that loads it to the first of
 * `OMP_PLACES` when `OMP_PROC_BIND` is set. The addon loads on the first `initBackend('wasm+dnnl')`,
 * on node's main thread, which runs every kernel; the anchor inherits the environment and binds its
 * own main thread the same way. So the bench sets the two variables before the backend starts.
 */
import { readFileSync } from 'node:fs';

/** CPU numbers of a Linux CPU list ("0-3,6"). */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: ${JSON.stringify(list)} (expected e.g. "0-3,6")`);
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

/**
 * OpenMP places for `threads` threads, one core each: the last `threads` of the allowed CPUs (the
 * first takes more of the machine's interrupts and housekeeping), all of them when there are fewer.
 */
export function placesFor(cpus: readonly number[], threads: number): string {
  return cpus
    .slice(-Math.max(1, threads))
    .map((c) => `{${c}}`)
    .join(',');
}

/** The CPUs a thread of this process may run on (Linux), or null where /proc does not say. */
export function threadCpus(tid: number = process.pid): number[] | null {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'));
    return m ? parseCpuList(m[1]) : null;
  } catch {
    return null;
  }
}

/** What `requestPinning` did: the places it asked for, or why it left the threads alone. */
export type PinRequest = { places: string } | { skipped: string };

/**
 * Asks for `threads` oneDNN threads pinned one per core, in `env` (before the addon loads); leaves an
 * `OMP_PLACES` or `OMP_PROC_BIND` the user set alone.
 */
export function requestPinning(threads: number, env: NodeJS.ProcessEnv = process.env, cpus: number[] | null = threadCpus()): PinRequest {
  if (env.OMP_PLACES !== undefined || env.OMP_PROC_BIND !== undefined) return { skipped: `OMP_PLACES/OMP_PROC_BIND set by the caller (${env.OMP_PLACES ?? '-'}, ${env.OMP_PROC_BIND ?? '-'})` };
  if (!cpus) return { skipped: 'this system does not say which CPUs a thread may use (/proc)' };
  const places = placesFor(cpus, threads);
  env.OMP_PLACES = places;
  env.OMP_PROC_BIND = 'true';
  return { places };
}

/**
 * One line for the bench's header: where the kernels' thread runs now that the backend has started,
 * checked against what was asked (an addon loaded before the request would not have bound it).
 */
export function pinningReport(request: PinRequest | null, now: number[] | null = threadCpus()): string {
  const where = now ? `CPU ${now.join(',')}` : 'unknown CPUs';
  if (request === null) return `not pinned (--no-pin): the scheduler places the kernels' thread${now ? ` (allowed: ${where})` : ''} and the anchor`;
  if ('skipped' in request) return `not pinned by the bench: ${request.skipped}; the kernels' thread may run on ${where}`;
  const first = parseCpuList(request.places.replace(/[{}]/g, ''))[0];
  if (!now || now.length !== 1 || now[0] !== first) return `asked to pin to ${request.places} but the kernels' thread may run on ${where} (loaded before the request, or an OpenMP runtime that does not bind as it loads)`;
  return `pinned: oneDNN's threads one per core here and in the anchor (OMP_PLACES=${request.places} OMP_PROC_BIND=true), the kernels' thread on ${where}; --no-pin lets them float`;
}
