import { FeatureMatrix, Rng } from '@cgan/models';

/** Correlated Gaussian features x = scale * z A + shift + 0.1 j; A from `mixingSeed` (default: from `seed`). */
export function correlatedFeatures(rows: number, cols: number, seed: number, shift = 0, scale = 1, mixingSeed?: number): FeatureMatrix {
  const rng = new Rng(seed);
  const mix = mixingSeed === undefined ? rng : new Rng(mixingSeed);
  const a = new Float64Array(cols * cols);
  for (let i = 0; i < a.length; i++) a[i] = mix.normal() / Math.sqrt(cols);
  const data = new Float64Array(rows * cols);
  const z = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) z[j] = rng.normal();
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += z[k] * a[k * cols + j];
      data[r * cols + j] = scale * s + shift + 0.1 * j;
    }
  }
  return { rows, cols, data };
}
