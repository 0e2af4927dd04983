/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared MMD
 * with the polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets
 * (as `polynomial_mmd_averages` in the authors' code); the std over subsets is reported too.
 */
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { FeatureMatrix, takeRows } from './features';

export interface PolynomialKernel {
  degree: number;
  /** Defaults to 1 / feature dimension. */
  gamma?: number;
  coef0: number;
}

const DEFAULT_KERNEL: PolynomialKernel = { degree: 3, coef0: 1 };

function kernelValue(dot: number, gamma: number, k: PolynomialKernel): number {
  const b = gamma * dot + k.coef0;
  return k.degree === 3 ? b * b * b : Math.pow(b, k.degree);
}

/** Sum of k(x_i, y_j) over all pairs; for x === y (symmetric) over i != j only. */
function kernelSums(x: FeatureMatrix, y: FeatureMatrix, k: PolynomialKernel, symmetric: boolean): number {
  const d = x.cols;
  const gamma = k.gamma ?? 1 / d;
  let total = 0;
  for (let i = 0; i < x.rows; i++) {
    const xi = i * d;
    for (let j = symmetric ? i + 1 : 0; j < y.rows; j++) {
      const yj = j * d;
      let dot = 0;
      for (let c = 0; c < d; c++) dot += x.data[xi + c] * y.data[yj + c];
      total += kernelValue(dot, gamma, k);
    }
  }
  return symmetric ? 2 * total : total;
}

/** Unbiased MMD^2 between the rows of x and y (same number of rows m >= 2). */
export function mmd2Unbiased(x: FeatureMatrix, y: FeatureMatrix, kernel: PolynomialKernel = DEFAULT_KERNEL): number {
  if (x.cols !== y.cols) throw new Error(`KID: feature dimensions differ (${x.cols} vs ${y.cols})`);
  const m = x.rows;
  if (y.rows !== m) throw new Error(`KID: subsets must have equal sizes (${x.rows} vs ${y.rows})`);
  if (m < 2) throw new Error(`KID needs at least 2 samples per set, got ${m}`);
  const kxx = kernelSums(x, x, kernel, true);
  const kyy = kernelSums(y, y, kernel, true);
  const kxy = kernelSums(x, y, kernel, false);
  return (kxx + kyy) / (m * (m - 1)) - (2 * kxy) / (m * m);
}

export interface KidResult {
  kid: number;
  kid_std: number;
}

/** Picks m of n indices without replacement. */
function choose(rng: Rng, n: number, m: number): Int32Array {
  return rng.permutation(n).subarray(0, m);
}

export interface KidParams {
  num_subsets: number;
  subset_size: number;
  degree: number;
  coef0: number;
  seed: number;
}

export const kernelInceptionDistance = configurable('kid', {
  module: 'metrics',
  params: { num_subsets: { default: 100, type: t.int }, subset_size: { default: 1000, type: t.int }, degree: { default: 3, type: t.int }, coef0: 1, seed: { default: 0, type: t.int } },
  doc: 'KID: unbiased polynomial-kernel MMD^2 averaged over random subsets; returns kid and kid_std.',
}, (kw: { real: FeatureMatrix; fake: FeatureMatrix } & KidParams): KidResult => {
  const { real, fake } = kw;
  if (real.cols !== fake.cols) throw new Error(`KID: real features have ${real.cols} columns, fake ${fake.cols}`);
  if (kw.num_subsets < 1) throw new Error(`KID: num_subsets must be >= 1, got ${kw.num_subsets}`);
  const m = Math.min(real.rows, fake.rows, kw.subset_size);
  const rng = new Rng(kw.seed >>> 0);
  const kernel = { degree: kw.degree, coef0: kw.coef0 };
  const values: number[] = [];
  for (let s = 0; s < kw.num_subsets; s++) {
    const g = takeRows(fake, choose(rng, fake.rows, m));
    const r = takeRows(real, choose(rng, real.rows, m));
    values.push(mmd2Unbiased(g, r, kernel));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { kid: mean, kid_std: Math.sqrt(variance) };
}) as unknown as (kw: { real: FeatureMatrix; fake: FeatureMatrix } & Partial<KidParams>) => KidResult;
