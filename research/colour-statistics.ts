/**
 * What are the colour statistics of the compression task's training pixels? Mean RGB and the RGB
 * covariance of every pixel of the BSDS500 train + test images, in [0, 1], with the covariance's
 * eigenvalues and eigenvectors: the constants of packages/tasks-compression/src/model/colour.ts
 * (the 'whitened' colour transform).
 *
 *   YOTO_DATA=../shared/data pnpm exec tsx research/colour-statistics.ts
 */
import { parseFlagsOrExit } from '@yoto/flags';
import { BlsFactorizedTask } from '@yoto/tasks-compression';

// No options: --help prints the usage and an unknown flag is one line, before the 400 images are read.
parseFlagsOrExit('colour-statistics', process.argv.slice(2), {}, 'colour-statistics.ts (no options; reads BSDS500 train + test from the data root)');

const task = new BlsFactorizedTask();
await task.prepare();
const set = task.trainingImages();
const sum = [0, 0, 0];
const products = [
  [0, 0, 0],
  [0, 0, 0],
  [0, 0, 0],
];
let n = 0;
for (const img of set.all()) {
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    const v = [d[i] / 255, d[i + 1] / 255, d[i + 2] / 255];
    for (let a = 0; a < 3; a++) {
      sum[a] += v[a];
      for (let b = 0; b < 3; b++) products[a][b] += v[a] * v[b];
    }
    n++;
  }
}
const mean = sum.map((s) => s / n);
const covariance = products.map((row, a) => row.map((p, b) => p / n - mean[a] * mean[b]));

/** Eigen-decomposition of a symmetric 3×3 matrix by Jacobi rotations: values ascending, vectors as columns. */
function eigen(m: number[][]): { values: number[]; vectors: number[][] } {
  const a = m.map((r) => [...r]);
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++)
    for (let p = 0; p < 2; p++)
      for (let q = p + 1; q < 3; q++) {
        if (Math.abs(a[p][q]) < 1e-18) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 3; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 3; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
  const order = [0, 1, 2].sort((i, j) => a[i][i] - a[j][j]);
  return { values: order.map((i) => a[i][i]), vectors: [0, 1, 2].map((r) => order.map((i) => v[r][i])) };
}

const { values, vectors } = eigen(covariance);
console.log(JSON.stringify({ images: set.length, pixels: n, mean, covariance, eigenvalues: values, eigenvectors: vectors }, null, 1));
