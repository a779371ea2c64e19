import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadAddon } from '@yoto/tfjs-dnnl';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend, runBackend } from './init.js';
import { threadBudget, threadsPerWorker } from './threads.js';

const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasGpu = installed('@tensorflow/tfjs-node-gpu');
const hasNode = installed('@tensorflow/tfjs-node');
const dnnl = loadAddon();

/** initBackend(choice) twice in a fresh process (with `env`): what it returned and what it wrote on stderr. */
function inChild(choice: string, env: NodeJS.ProcessEnv): { out: { first: Record<string, unknown>; second: Record<string, unknown> }; stderr: string } {
  const script = fileURLToPath(new URL('./__fixtures__/auto-backend.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, choice], { env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

describe('initBackend', () => {
  const saved = process.env.YOTO_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.YOTO_BACKEND;
    else process.env.YOTO_BACKEND = saved;
  });

  it('selects cpu and wasm explicitly, idempotently, and registers the kernel fixes', async () => {
    const a = await initBackend('cpu');
    expect(a).toMatchObject({ name: 'cpu', requested: 'cpu', skipped: [], tfBackend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend(' CPU ')).toBe(a);
    const w = await initBackend('wasm');
    expect(w).toMatchObject({ name: 'wasm', requested: 'wasm', tfBackend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    // concurrent calls agree
    const [x, y] = await Promise.all([initBackend('wasm'), initBackend('wasm')]);
    expect(x).toBe(y);
    // a conv net can take a gradient on wasm (this kernel was missing in tfjs-backend-wasm)
    const g = tf.grad((f: tf.Tensor) => tf.conv2d(tf.ones([1, 5, 5, 2]) as tf.Tensor4D, f as tf.Tensor4D, 2, 'same').sum());
    const dw = g(tf.ones([3, 3, 2, 1]));
    expect(dw.shape).toEqual([3, 3, 2, 1]);
    expect(dw.arraySync()).toEqual([[[[4], [4]], [[6], [6]], [[4], [4]]], [[[6], [6]], [[9], [9]], [[6], [6]]], [[[4], [4]], [[6], [6]], [[4], [4]]]]);
  });

  it.skipIf(hasGpu || hasNode)('auto falls through to wasm+dnnl (or wasm without the addon), saying why the native backends were skipped', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe(dnnl.ok ? 'wasm+dnnl' : 'wasm');
    expect(info.requested).toBe('auto');
    expect(info.skipped.map((s) => s.name)).toEqual(dnnl.ok ? ['node-gpu', 'node'] : ['node-gpu', 'node', 'wasm+dnnl']);
    expect(info.skipped[0].why).toContain('pnpm add -w @tensorflow/tfjs-node-gpu');
    expect(info.reason).toContain('node-gpu, node');
  });

  it.skipIf(hasGpu || hasNode)('runBackend names the backend as initBackend does, with its kernels’ threads', async () => {
    const info = await initBackend('auto');
    expect(runBackend()).toEqual(dnnl.ok ? { backend: 'wasm+dnnl', threads: info.native!.threads } : { backend: 'wasm', threads: 1 });
    await initBackend('wasm');
    expect(runBackend()).toEqual({ backend: 'wasm', threads: 1 });
    await initBackend('cpu');
    expect(runBackend()).toEqual({ backend: 'cpu', threads: 1 });
  });

  it('reads YOTO_BACKEND when no choice is given, and rejects bad values from it', async () => {
    process.env.YOTO_BACKEND = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    process.env.YOTO_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toThrow(/YOTO_BACKEND.*auto, node-gpu, node, wasm\+dnnl, wasm, cpu/);
  });

  it('rejects unknown names, listing the valid ones', async () => {
    await expect(initBackend('webgl')).rejects.toThrow(/Unknown backend "webgl".*expected one of: auto, node-gpu, node, wasm\+dnnl, wasm, cpu/);
  });

  it.skipIf(hasGpu)('an explicit node-gpu request says how to install it', async () => {
    await expect(initBackend('node-gpu')).rejects.toThrow(/not installed.*pnpm add -w @tensorflow\/tfjs-node-gpu.*CUDA/);
  });

  it.skipIf(hasNode)('an explicit node request says how to install it', async () => {
    await expect(initBackend('node')).rejects.toThrow(/not installed.*pnpm add -w @tensorflow\/tfjs-node`/);
  });

  it.skipIf(hasGpu || hasNode)('without the addon, auto falls back to plain wasm and says why once on stderr; wasm+dnnl is refused', () => {
    const missing = { YOTO_DNNL_ADDON: '/nonexistent/dnnl_kernels.node', YOTO_BACKEND: '' };
    const auto = inChild('auto', missing);
    expect(auto.out.first).toMatchObject({ name: 'wasm', requested: 'auto' });
    expect(auto.out.second).toMatchObject({ name: 'wasm' });
    expect(auto.stderr.match(/native kernels unavailable: the addon is not built \(\/nonexistent\/dnnl_kernels.node is missing/g)).toHaveLength(1);
    const forced = inChild('wasm+dnnl', missing);
    expect(forced.out.first.error).toMatch(/Backend 'wasm\+dnnl' \(from argument\) is not available: native kernels unavailable: the addon is not built/);
  });

  it.skipIf(!dnnl.ok)('wasm+dnnl runs oneDNN on YOTO_THREADS threads, all cores by default', () => {
    const { out } = inChild('wasm+dnnl', { YOTO_THREADS: '1' });
    expect(out.first).toMatchObject({ name: 'wasm+dnnl', tfBackend: 'wasm', native: { threads: 1 } });
    expect(inChild('wasm+dnnl', { YOTO_THREADS: '' }).out.first).toMatchObject({ native: { threads: threadBudget({}) } });
  });
});

describe('thread budget', () => {
  it('reads YOTO_THREADS, defaults to every core, and rejects anything but a positive integer', () => {
    expect(threadBudget({ YOTO_THREADS: ' 3 ' })).toBe(3);
    expect(threadBudget({})).toBeGreaterThanOrEqual(1);
    for (const bad of ['0', '-2', '1.5', 'many']) expect(() => threadBudget({ YOTO_THREADS: bad })).toThrow(`YOTO_THREADS must be a positive integer, got "${bad}"`);
  });

  it('splits the budget between parallel workers, never below one thread each', () => {
    expect(threadsPerWorker(16, 4)).toBe(4);
    expect(threadsPerWorker(2, 2)).toBe(1);
    expect(threadsPerWorker(5, 2)).toBe(2);
    expect(threadsPerWorker(2, 6)).toBe(1);
  });
});
