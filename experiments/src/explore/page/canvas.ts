/// <reference lib="dom" />
/** Draws images ([h, w, c] values in [0, 1] each, c = 1 or 3) side by side on a canvas, scaled up. */
export function drawRow(canvas: HTMLCanvasElement, images: Float32Array[], h: number, w: number, c: number, scale: number, pad = 2): void {
  const W = images.length * (w * scale + pad) + pad;
  const H = h * scale + 2 * pad;
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  const img = ctx.createImageData(W, H);
  img.data.fill(255);
  images.forEach((t, k) => {
    const x0 = pad + k * (w * scale + pad);
    for (let y = 0; y < h * scale; y++)
      for (let x = 0; x < w * scale; x++) {
        const i = (Math.floor(y / scale) * w + Math.floor(x / scale)) * c;
        const o = ((pad + y) * W + x0 + x) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = t[i + (c === 1 ? 0 : ch)];
          img.data[o + ch] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
        }
      }
  });
  ctx.putImageData(img, 0, 0);
}

/** One Float32Array per image of a [n, …] tensor's data. */
export function splitRows(data: Float32Array, n: number): Float32Array[] {
  const size = data.length / n;
  return Array.from({ length: n }, (_, i) => data.slice(i * size, (i + 1) * size));
}
