import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from './init.js';

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

  it.skipIf(hasGpu || hasNode)('auto falls through to wasm, saying why the native backends were skipped', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.requested).toBe('auto');
    expect(info.skipped.map((s) => s.name)).toEqual(['node-gpu', 'node']);
    expect(info.skipped[0].why).toContain('pnpm add -w @tensorflow/tfjs-node-gpu');
    expect(info.reason).toContain('node-gpu, node');
  });

  it('reads YOTO_BACKEND when no choice is given, and rejects bad values from it', async () => {
    process.env.YOTO_BACKEND = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    process.env.YOTO_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toThrow(/YOTO_BACKEND.*auto, node-gpu, node, wasm, cpu/);
  });

  it('rejects unknown names, listing the valid ones', async () => {
    await expect(initBackend('webgl')).rejects.toThrow(/Unknown backend "webgl".*expected one of: auto, node-gpu, node, wasm, cpu/);
  });

  it.skipIf(hasGpu)('an explicit node-gpu request says how to install it', async () => {
    await expect(initBackend('node-gpu')).rejects.toThrow(/not installed.*pnpm add -w @tensorflow\/tfjs-node-gpu.*CUDA/);
  });

  it.skipIf(hasNode)('an explicit node request says how to install it', async () => {
    await expect(initBackend('node')).rejects.toThrow(/not installed.*pnpm add -w @tensorflow\/tfjs-node`/);
  });
});
