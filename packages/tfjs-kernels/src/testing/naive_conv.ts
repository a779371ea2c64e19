/**
 * Direct-loop references for the conv kernels, written from the definition of the forward
 * convolution with their own padding rules (independent of tfjs's conv_util), for tests only.
 * Layouts: x [N,H,W,C] (NHWC), conv filter [fh,fw,Ci,Co], depthwise filter [fh,fw,Ci,M].
 */

export type NaivePad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

export interface NaiveConvSpec {
  strides: [number, number];
  dilations: [number, number];
  pad: NaivePad;
}

export interface Dense4 {
  shape: [number, number, number, number];
  data: Float32Array;
}

function axisGeometry(size: number, f: number, s: number, d: number, pad: NaivePad, axis: 0 | 1): { out: number; before: number } {
  const eff = (f - 1) * d + 1;
  if (pad === 'valid') return { out: Math.ceil((size - eff + 1) / s), before: 0 };
  if (pad === 'same') {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + eff - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  if (typeof pad === 'number') return { out: Math.floor((size + 2 * pad - eff) / s) + 1, before: pad };
  const [b, a] = pad[axis + 1] as [number, number];
  return { out: Math.floor((size + b + a - eff) / s) + 1, before: b };
}

export interface NaiveGeometry {
  outH: number;
  outW: number;
  top: number;
  left: number;
}

export function naiveGeometry(inH: number, inW: number, fh: number, fw: number, spec: NaiveConvSpec): NaiveGeometry {
  const h = axisGeometry(inH, fh, spec.strides[0], spec.dilations[0], spec.pad, 0);
  const w = axisGeometry(inW, fw, spec.strides[1], spec.dilations[1], spec.pad, 1);
  return { outH: h.out, outW: w.out, top: h.before, left: w.before };
}

const at = (shape: number[], a: number, b: number, c: number, d: number) => ((a * shape[1] + b) * shape[2] + c) * shape[3] + d;

/**
 * Visits every (output position, filter tap, input position) triple of the forward conv that reads
 * a real (non-padding) input element. `depthwise` maps input channel i to outputs i·M + m.
 */
function forEachTap(
  xShape: [number, number, number, number],
  fShape: [number, number, number, number],
  spec: NaiveConvSpec,
  visit: (n: number, oy: number, ox: number, a: number, b: number, iy: number, ix: number) => void,
): NaiveGeometry {
  const [N, H, W] = xShape;
  const [fh, fw] = fShape;
  const g = naiveGeometry(H, W, fh, fw, spec);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < g.outH; oy++)
      for (let ox = 0; ox < g.outW; ox++)
        for (let a = 0; a < fh; a++)
          for (let b = 0; b < fw; b++) {
            const iy = oy * spec.strides[0] + a * spec.dilations[0] - g.top;
            const ix = ox * spec.strides[1] + b * spec.dilations[1] - g.left;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            visit(n, oy, ox, a, b, iy, ix);
          }
  return g;
}

/** dW of conv2d: dW[a,b,i,o] = Σ x[n,iy,ix,i]·dy[n,oy,ox,o]. */
export function naiveConv2dBackpropFilter(x: Dense4, dy: Dense4, filterShape: [number, number, number, number], spec: NaiveConvSpec): Dense4 {
  const [, , Ci, Co] = filterShape;
  const out = new Float32Array(filterShape.reduce((p, q) => p * q, 1));
  forEachTap(x.shape, filterShape, spec, (n, oy, ox, a, b, iy, ix) => {
    for (let i = 0; i < Ci; i++) {
      const xv = x.data[at(x.shape, n, iy, ix, i)];
      for (let o = 0; o < Co; o++) out[at(filterShape, a, b, i, o)] += xv * dy.data[at(dy.shape, n, oy, ox, o)];
    }
  });
  return { shape: filterShape, data: out };
}

/** dx of conv2d: dx[n,iy,ix,i] = Σ W[a,b,i,o]·dy[n,oy,ox,o]. */
export function naiveConv2dBackpropInput(inShape: [number, number, number, number], dy: Dense4, w: Dense4, spec: NaiveConvSpec): Dense4 {
  const [, , Ci, Co] = w.shape;
  const out = new Float32Array(inShape.reduce((p, q) => p * q, 1));
  forEachTap(inShape, w.shape, spec, (n, oy, ox, a, b, iy, ix) => {
    for (let i = 0; i < Ci; i++) {
      let acc = 0;
      for (let o = 0; o < Co; o++) acc += w.data[at(w.shape, a, b, i, o)] * dy.data[at(dy.shape, n, oy, ox, o)];
      out[at(inShape, n, iy, ix, i)] += acc;
    }
  });
  return { shape: inShape, data: out };
}

/** dW of depthwise conv: dW[a,b,i,m] = Σ x[n,iy,ix,i]·dy[n,oy,ox,i·M+m]. */
export function naiveDepthwiseBackpropFilter(x: Dense4, dy: Dense4, filterShape: [number, number, number, number], spec: NaiveConvSpec): Dense4 {
  const [, , Ci, M] = filterShape;
  const out = new Float32Array(filterShape.reduce((p, q) => p * q, 1));
  forEachTap(x.shape, filterShape, spec, (n, oy, ox, a, b, iy, ix) => {
    for (let i = 0; i < Ci; i++)
      for (let m = 0; m < M; m++) out[at(filterShape, a, b, i, m)] += x.data[at(x.shape, n, iy, ix, i)] * dy.data[at(dy.shape, n, oy, ox, i * M + m)];
  });
  return { shape: filterShape, data: out };
}

/** dx of depthwise conv: dx[n,iy,ix,i] = Σ W[a,b,i,m]·dy[n,oy,ox,i·M+m]. */
export function naiveDepthwiseBackpropInput(inShape: [number, number, number, number], dy: Dense4, w: Dense4, spec: NaiveConvSpec): Dense4 {
  const [, , Ci, M] = w.shape;
  const out = new Float32Array(inShape.reduce((p, q) => p * q, 1));
  forEachTap(inShape, w.shape, spec, (n, oy, ox, a, b, iy, ix) => {
    for (let i = 0; i < Ci; i++)
      for (let m = 0; m < M; m++) out[at(inShape, n, iy, ix, i)] += w.data[at(w.shape, a, b, i, m)] * dy.data[at(dy.shape, n, oy, ox, i * M + m)];
  });
  return { shape: inShape, data: out };
}

/** Forward conv (plain or depthwise), used to check that shapes and padding agree with tfjs. */
export function naiveConv2d(x: Dense4, w: Dense4, spec: NaiveConvSpec, depthwise = false): Dense4 {
  const [N, H, W, Ci] = x.shape;
  const [fh, fw, , C3] = w.shape;
  const g = naiveGeometry(H, W, fh, fw, spec);
  const Co = depthwise ? Ci * C3 : C3;
  const shape: [number, number, number, number] = [N, g.outH, g.outW, Co];
  const out = new Float32Array(N * g.outH * g.outW * Co);
  forEachTap(x.shape, w.shape, spec, (n, oy, ox, a, b, iy, ix) => {
    for (let i = 0; i < Ci; i++) {
      const xv = x.data[at(x.shape, n, iy, ix, i)];
      if (depthwise) for (let m = 0; m < C3; m++) out[at(shape, n, oy, ox, i * C3 + m)] += xv * w.data[at(w.shape, a, b, i, m)];
      else for (let o = 0; o < Co; o++) out[at(shape, n, oy, ox, o)] += xv * w.data[at(w.shape, a, b, i, o)];
    }
  });
  return { shape, data: out };
}
