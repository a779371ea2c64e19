/** Mean squared error over all values of two equally sized arrays (8-bit or float, same scale). */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`mse: arrays differ in length (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new Error('mse: empty arrays');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s / a.length;
}

/** PSNR in dB for values on [0, peak] (255 for 8-bit RGB); Infinity for identical inputs. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, peak = 255): number {
  const e = mse(a, b);
  return e === 0 ? Infinity : 10 * Math.log10((peak * peak) / e);
}
