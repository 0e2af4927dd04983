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

function asFloat64(m: FeatureMatrix): Float64Array {
  return m.data instanceof Float64Array ? m.data : Float64Array.from(m.data);
}

/** x_i . y_j for contiguous rows (four accumulators: the JIT keeps them in registers). */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < d; c += 4) {
    s0 += a[ao + c] * b[bo + c];
    s1 += a[ao + c + 1] * b[bo + c + 1];
    s2 += a[ao + c + 2] * b[bo + c + 2];
    s3 += a[ao + c + 3] * b[bo + c + 3];
  }
  for (; c < d; c++) s0 += a[ao + c] * b[bo + c];
  return s0 + s1 + s2 + s3;
}

/**
 * The kernel matrix K[i, j] = k(x_i, y_j) (float64, row-major, x.rows x y.rows): one Gram
 * matrix (a matmul X Y^T) with the kernel applied elementwise. Symmetric when x === y (the
 * lower triangle is mirrored, not recomputed).
 */
export function kernelMatrix(x: FeatureMatrix, y: FeatureMatrix, kernel: PolynomialKernel = DEFAULT_KERNEL): Float64Array {
  const d = x.cols;
  const gamma = kernel.gamma ?? 1 / d;
  const a = asFloat64(x);
  const b = x === y ? a : asFloat64(y);
  const n = x.rows;
  const m = y.rows;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const j0 = x === y ? i : 0;
    for (let j = j0; j < m; j++) {
      const v = kernelValue(dot(a, i * d, b, j * d, d), gamma, kernel);
      out[i * m + j] = v;
      if (x === y) out[j * m + i] = v;
    }
  }
  return out;
}

/** Unbiased MMD^2 from kernel matrices, restricted to rows `ix` of x and `iy` of y (same size m). */
function mmd2FromKernels(kxx: Float64Array, nx: number, kyy: Float64Array, ny: number, kxy: Float64Array, ix: ArrayLike<number>, iy: ArrayLike<number>): number {
  const m = ix.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let a = 0; a < m; a++) {
    const ra = ix[a] * nx;
    const rb = iy[a] * ny;
    const rc = ix[a] * ny;
    for (let b = 0; b < m; b++) {
      if (a !== b) {
        sxx += kxx[ra + ix[b]];
        syy += kyy[rb + iy[b]];
      }
      sxy += kxy[rc + iy[b]];
    }
  }
  return (sxx + syy) / (m * (m - 1)) - (2 * sxy) / (m * m);
}

const ALL = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Unbiased MMD^2 between the rows of x and y (same number of rows m >= 2). */
export function mmd2Unbiased(x: FeatureMatrix, y: FeatureMatrix, kernel: PolynomialKernel = DEFAULT_KERNEL): number {
  if (x.cols !== y.cols) throw new Error(`KID: feature dimensions differ (${x.cols} vs ${y.cols})`);
  const m = x.rows;
  if (y.rows !== m) throw new Error(`KID: subsets must have equal sizes (${x.rows} vs ${y.rows})`);
  if (m < 2) throw new Error(`KID needs at least 2 samples per set, got ${m}`);
  const idx = ALL(m);
  return mmd2FromKernels(kernelMatrix(x, x, kernel), m, kernelMatrix(y, y, kernel), m, kernelMatrix(x, y, kernel), idx, idx);
}

/** Kernel matrices are computed once over all samples up to this many per side (3 n^2 float64). */
const FULL_KERNEL_MAX_ROWS = 3000;

export interface KidResult {
  kid: number;
  /** Std over subsets (numpy's np.std, 0 for a single subset). */
  kid_std: number;
  /** The subset size used: kid.subset_size, or half the samples when there are no more than that. */
  subset_size: number;
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
  if (kw.subset_size < 2) throw new Error(`KID: subset_size must be >= 2, got ${kw.subset_size}`);
  const n = Math.min(real.rows, fake.rows);
  if (n < 4) throw new Error(`KID needs at least 4 samples per set, got ${n}`);
  // Subsets must be smaller than the sample sets (torch-fidelity, the KID authors' code): with
  // subset_size >= n every subset is the whole set and the spread over subsets is meaningless.
  const m = kw.subset_size < n ? kw.subset_size : Math.floor(n / 2);
  const rng = new Rng(kw.seed >>> 0);
  const kernel = { degree: kw.degree, coef0: kw.coef0 };
  const full = fake.rows <= FULL_KERNEL_MAX_ROWS && real.rows <= FULL_KERNEL_MAX_ROWS;
  // Small sets: the three kernel matrices once (three matmuls); each subset then only sums entries.
  const kff = full ? kernelMatrix(fake, fake, kernel) : null;
  const krr = full ? kernelMatrix(real, real, kernel) : null;
  const kfr = full ? kernelMatrix(fake, real, kernel) : null;
  const values: number[] = [];
  for (let s = 0; s < kw.num_subsets; s++) {
    const gi = choose(rng, fake.rows, m);
    const ri = choose(rng, real.rows, m);
    values.push(full ? mmd2FromKernels(kff!, fake.rows, krr!, real.rows, kfr!, gi, ri) : mmd2Unbiased(takeRows(fake, gi), takeRows(real, ri), kernel));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { kid: mean, kid_std: Math.sqrt(variance), subset_size: m };
}) as unknown as (kw: { real: FeatureMatrix; fake: FeatureMatrix } & Partial<KidParams>) => KidResult;
