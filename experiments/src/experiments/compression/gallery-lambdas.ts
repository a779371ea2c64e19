/** The gallery's λ columns: every baseline λ, then grid points spread over the range up to `columns`. */
export function galleryLambdas(grid: readonly number[], baselines: readonly number[], columns: number): number[] {
  const picked = new Set(baselines.slice(0, columns));
  const sorted = [...grid].sort((x, y) => x - y);
  for (let k = 0; picked.size < columns && k < sorted.length; k++) {
    // Fill from the ends inwards so the extremes of the range are always shown.
    const i = k % 2 === 0 ? k / 2 : sorted.length - 1 - (k - 1) / 2;
    picked.add(sorted[i]);
  }
  return [...picked].sort((x, y) => x - y);
}
