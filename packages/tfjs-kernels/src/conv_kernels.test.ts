import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropFilterViaConv, type BackpropFilterStrategy } from './kernels/Conv2DBackpropFilter.js';
import { conv2dBackpropInputViaConv, type BackpropInputStrategy } from './kernels/Conv2DBackpropInput.js';
import { originalKernel, runOriginalKernel } from './register.js';
import {
  naiveConv2d,
  naiveConv2dBackpropFilter,
  naiveConv2dBackpropInput,
  naiveDepthwiseBackpropFilter,
  naiveDepthwiseBackpropInput,
  naiveGeometry,
  type Dense4,
  type NaivePad,
} from './testing/naive_conv.js';
import { dense, t4, type Shape4 } from './testing/dense.js';
import { useBackend } from './testing/backend.js';
import { loadAddon, registerNativeKernels, setEnabled } from '@yoto/tfjs-dnnl';


function expectClose(got: tf.Tensor, want: Dense4, label: string): void {
  expect(got.shape, label).toEqual(want.shape);
  const g = got.dataSync();
  let worst = 0;
  for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - want.data[i]) / (1 + Math.abs(want.data[i])));
  expect(worst, label).toBeLessThan(2e-5);
}

const PADS: NaivePad[] = ['same', 'valid', [[0, 0], [2, 0], [1, 3], [0, 0]], 1];
// [input NHWC, filter h, filter w, outChannels-or-multiplier]: odd sizes, batch 1, one and many channels.
const GEOMETRIES: [Shape4, number, number, number][] = [
  [[1, 7, 5, 1], 3, 3, 4],
  [[2, 6, 7, 5], 2, 3, 1],
  [[1, 9, 8, 3], 5, 5, 2],
  [[1, 5, 6, 2], 1, 1, 3],
];

interface Case {
  label: string;
  x: Shape4;
  f: Shape4;
  strides: [number, number];
  dilations: number;
  pad: NaivePad;
}

/** Every combination with a non-empty output (pure JS: this runs before any backend is ready). */
function cases(depthwise: boolean, withDilation: boolean): Case[] {
  const out: Case[] = [];
  for (const [x, fh, fw, c] of GEOMETRIES)
    for (const strides of [[1, 1], [2, 2], [3, 3], [1, 2], [3, 2]] as [number, number][])
      for (const dilations of withDilation ? [1, 2] : [1])
        for (const pad of PADS) {
          if (Math.max(...strides) > 1 && dilations > 1) continue;
          // tfjs sizes numeric padding with the filter height and stride height on both axes (a
          // tfjs quirk the forward op shares); keep numeric padding to square filters and strides.
          if (typeof pad === 'number' && (fh !== fw || strides[0] !== strides[1])) continue;
          const f: Shape4 = [fh, fw, x[3], c];
          const g = naiveGeometry(x[1], x[2], fh, fw, { strides, dilations: [dilations, dilations], pad });
          if (g.outH < 1 || g.outW < 1) continue;
          out.push({ label: `x${JSON.stringify(x)} f${JSON.stringify(f)} s${JSON.stringify(strides)} d${dilations} pad ${JSON.stringify(pad)}`, x, f, strides, dilations, pad });
        }
  return out;
}

const spec = (c: Case) => ({ strides: c.strides, dilations: [c.dilations, c.dilations] as [number, number], pad: c.pad });

function outShape(c: Case, depthwise: boolean): Shape4 {
  const y = naiveConv2d(dense(c.x, 1), dense(c.f, 2), spec(c), depthwise);
  return y.shape;
}

const runKernel = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

function backendCounts() {
  return { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, dataIds: tf.engine().backend.numDataIds() };
}

const dnnl = loadAddon();

/** wasm+dnnl as core's initBackend sets it up: oneDNN's kernels registered after the fixes, which they fall back on. */
async function activate(backend: 'wasm' | 'wasm+dnnl' | 'cpu'): Promise<void> {
  if (backend !== 'wasm+dnnl') {
    setEnabled(false);
    return useBackend(backend);
  }
  if (!dnnl.ok) throw new Error(dnnl.why);
  await useBackend('wasm');
  registerNativeKernels(dnnl.addon);
  setEnabled(true);
}

for (const backend of ['wasm', 'wasm+dnnl', 'cpu'] as const) {
  // wasm+dnnl: oneDNN's kernels in front of the fixes (and tfjs's own), which take what they leave (NCHW).
  const skip = backend === 'wasm+dnnl' && !dnnl.ok;
  describe.skipIf(skip)(`conv kernels on ${backend}${skip && !dnnl.ok ? ` (skipped: ${dnnl.why})` : ''}`, () => {
    beforeAll(async () => {
      await activate(backend);
    });

    const convCases = cases(false, false);
    // Dilated cases too: tfjs's gradient never passes dilation > 1 (it asserts), but the kernels can be
    // called directly, and tfjs-backend-cpu's own ones ignore dilation (ours serve every dilated call).
    const dwCases = cases(true, true);

    it('has enough cases to cover strides 1-3, every padding form, batch 1 and 1/many channels', () => {
      expect(convCases.length).toBeGreaterThan(30);
      expect(new Set(convCases.map((c) => c.strides.join()))).toEqual(new Set(['1,1', '2,2', '3,3', '1,2', '3,2']));
      expect(new Set(dwCases.map((c) => JSON.stringify(c.pad))).size).toBe(4);
      expect(dwCases.some((c) => c.dilations === 2)).toBe(true);
    });

    it('Conv2DBackpropFilter matches the naive reference (registered kernel and every strategy)', () => {
      for (const c of convCases) {
        const x = dense(c.x, 3);
        const dy = dense(outShape(c, false), 4);
        const want = naiveConv2dBackpropFilter(x, dy, c.f, spec(c));
        tf.tidy(() => {
          const got = runKernel('Conv2DBackpropFilter', { x: t4(x), dy: t4(dy) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f });
          expectClose(got, want, c.label);
          for (const s of ['conv', 'gemm'] as BackpropFilterStrategy[])
            expectClose(conv2dBackpropFilterViaConv(t4(x), t4(dy), c.f, c.strides, c.pad as never, 'NHWC', undefined, s), want, `${s} ${c.label}`);
        });
      }
    });

    it('Conv2DBackpropInput matches the naive reference (registered kernel and every strategy)', () => {
      for (const c of convCases) {
        const dy = dense(outShape(c, false), 5);
        const w = dense(c.f, 6);
        const want = naiveConv2dBackpropInput(c.x, dy, w, spec(c));
        tf.tidy(() => {
          expectClose(runKernel('Conv2DBackpropInput', { dy: t4(dy), filter: t4(w) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }), want, c.label);
          for (const s of ['zeros', 'subpixel', 'phases'] as BackpropInputStrategy[])
            expectClose(conv2dBackpropInputViaConv(c.x, t4(dy), t4(w), c.strides, c.pad as never, 'NHWC', undefined, s), want, `${s} ${c.label}`);
        });
      }
    });

    it('DepthwiseConv2dNative backprop kernels match the naive reference (with multipliers and dilation)', () => {
      for (const c of dwCases) {
        const x = dense(c.x, 7);
        const w = dense(c.f, 8);
        const dy = dense(outShape(c, true), 9);
        const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
        tf.tidy(() => {
          const dx = runKernel('DepthwiseConv2dNativeBackpropInput', { dy: t4(dy), filter: t4(w) }, { ...attrs, inputShape: c.x });
          expectClose(dx, naiveDepthwiseBackpropInput(c.x, dy, w, spec(c)), `input ${c.label}`);
          const dw = runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t4(x), dy: t4(dy) }, { ...attrs, filterShape: c.f });
          expectClose(dw, naiveDepthwiseBackpropFilter(x, dy, c.f, spec(c)), `filter ${c.label}`);
        });
      }
    });

    it('handles NCHW data by transposing (Conv2D backprop kernels)', () => {
      const x = dense([2, 7, 6, 3], 10);
      const w = dense([3, 2, 3, 4], 11);
      const s = { strides: [2, 2] as [number, number], dilations: [1, 1] as [number, number], pad: 'same' as const };
      const dy = dense(naiveConv2d(x, w, s).shape, 12);
      tf.tidy(() => {
        const toNCHW = (d: Dense4) => tf.transpose(t4(d), [0, 3, 1, 2]);
        const dw = runKernel('Conv2DBackpropFilter', { x: toNCHW(x), dy: toNCHW(dy) }, { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: w.shape });
        expectClose(dw, naiveConv2dBackpropFilter(x, dy, w.shape, s), 'filter NCHW');
        const nchwShape = [2, 3, 7, 6];
        const dx = runKernel('Conv2DBackpropInput', { dy: toNCHW(dy), filter: t4(w) }, { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: nchwShape });
        expectClose(tf.transpose(dx, [0, 2, 3, 1]), naiveConv2dBackpropInput(x.shape, dy, w, s), 'input NCHW');
      });
    });

    it('gradients of conv2d, conv2dTranspose and depthwiseConv2d through tf.grads match the reference', () => {
      const probes: [Shape4, number, number, number, number, NaivePad][] = [
        // x, fh, fw, channels out / multiplier, stride, pad
        [[2, 7, 6, 3], 3, 3, 4, 2, 'same'],
        [[1, 9, 8, 1], 5, 3, 2, 3, 'valid'],
        [[1, 6, 7, 5], 3, 2, 1, 1, [[0, 0], [1, 2], [2, 0], [0, 0]]],
      ];
      for (const [xs, fh, fw, c, stride, pad] of probes) {
        const s = { strides: [stride, stride] as [number, number], dilations: [1, 1] as [number, number], pad };
        const label = `${JSON.stringify(xs)} ${fh}x${fw} s${stride} ${JSON.stringify(pad)}`;
        tf.tidy(() => {
          // conv2d: loss = Σ conv2d(x, W)·R
          const x = dense(xs, 13);
          const w = dense([fh, fw, xs[3], c], 14);
          const r = dense(naiveConv2d(x, w, s).shape, 15);
          const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as never), t4(r))))([t4(x), t4(w)]);
          expectClose(gx, naiveConv2dBackpropInput(xs, r, w, s), `conv2d dx ${label}`);
          expectClose(gw, naiveConv2dBackpropFilter(x, r, w.shape, s), `conv2d dW ${label}`);

          // conv2dTranspose(z, W) is dx of conv2d; loss = Σ conv2dTranspose(z, W)·R with R shaped like x.
          if (typeof pad !== 'object') {
            const z = dense(naiveConv2d(x, w, s).shape, 16);
            const rx = dense(xs, 17);
            const [gz, gw2] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, xs, stride, pad as 'same' | 'valid'), t4(rx))),
            )([t4(z), t4(w)]);
            expectClose(gz, naiveConv2d(rx, w, s), `conv2dTranspose dz ${label}`);
            expectClose(gw2, naiveConv2dBackpropFilter(rx, z, w.shape, s), `conv2dTranspose dW ${label}`);
          }

          // depthwiseConv2d (multiplier c)
          const wd = dense([fh, fw, xs[3], c], 18);
          const rd = dense(naiveConv2d(x, wd, s, true).shape, 19);
          const [gxd, gwd] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as never), t4(rd))))([t4(x), t4(wd)]);
          expectClose(gxd, naiveDepthwiseBackpropInput(xs, rd, wd, s), `depthwise dx ${label}`);
          expectClose(gwd, naiveDepthwiseBackpropFilter(x, rd, wd.shape, s), `depthwise dW ${label}`);
        });
      }
    });

    it('neither leaks nor double-frees: tensor, byte and backend buffer counts are unchanged after many calls', () => {
      const x = tf.tensor4d(dense([2, 9, 9, 3], 20).data, [2, 9, 9, 3]);
      const w = tf.variable(tf.tensor4d(dense([3, 3, 3, 4], 21).data, [3, 3, 3, 4]));
      const wd = tf.variable(tf.tensor4d(dense([3, 3, 3, 2], 22).data, [3, 3, 3, 2]));
      const step = () => {
        const { value, grads } = tf.variableGrads(() => {
          const h = tf.relu(tf.conv2d(x, w, 2, 'same'));
          const up = tf.conv2dTranspose(h, w, [2, 9, 9, 3], 2, 'same');
          return tf.sum(tf.square(tf.depthwiseConv2d(up, wd, 1, 'same')));
        });
        value.dispose();
        tf.dispose(grads);
      };
      step();
      const before = backendCounts();
      const first = tf.tidy(() => tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 2, 'same'))).grads[w.name].arraySync());
      for (let i = 0; i < 20; i++) step();
      // Outputs kept outside a tidy and disposed by hand, inputs reused afterwards.
      for (let i = 0; i < 10; i++) {
        const dy = tf.ones([2, 5, 5, 4]);
        const out = runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] });
        out.dispose();
        dy.dispose();
      }
      expect(backendCounts()).toEqual(before);
      // Inputs and variables are intact (a double free would have released their buffers).
      const again = tf.tidy(() => tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 2, 'same'))).grads[w.name].arraySync());
      expect(again).toEqual(first);
      tf.dispose([x, w, wd]);
    });

    it('keeps tfjs’s own kernels reachable for comparison', () => {
      const x = dense([1, 6, 6, 2], 23);
      const dy = dense([1, 3, 3, 3], 24);
      const w = dense([3, 3, 2, 3], 25);
      const s = { strides: [2, 2] as [number, number], dilations: [1, 1] as [number, number], pad: 'same' as const };
      tf.tidy(() => {
        if (backend !== 'cpu') {
          expect(originalKernel('Conv2DBackpropFilter', 'wasm')).toBeNull();
          expect(originalKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeNull();
          const dx = runOriginalKernel('Conv2DBackpropInput', { dy: t4(dy), filter: t4(w) }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape } as never);
          expectClose(dx, naiveConv2dBackpropInput(x.shape, dy, w, s), 'original wasm Conv2DBackpropInput');
          dx.dispose();
        } else {
          const dw = runOriginalKernel('Conv2DBackpropFilter', { x: t4(x), dy: t4(dy) }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape } as never);
          expectClose(dw, naiveConv2dBackpropFilter(x, dy, w.shape, s), 'original cpu Conv2DBackpropFilter');
          dw.dispose();
          expect(() => runOriginalKernel('Conv2DBackpropInput', {}, {})).toThrow(/no original 'Conv2DBackpropInput' kernel for backend 'cpu'/);
        }
      });
    });
  });
}
