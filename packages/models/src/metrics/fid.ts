/**
 * Fréchet distance between two Gaussians (FID when the statistics come from classifier
 * features; Heusel et al. 2017):
 *   ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2}).
 * tr((S1 S2)^{1/2}) is computed in float64 as the sum of the square roots of the eigenvalues
 * of the symmetric PSD matrix S1^{1/2} S2 S1^{1/2} (which is similar to S1 S2). With
 * S1 = V L V^T that matrix is similar to L^{1/2} (V^T S2 V) L^{1/2}, so one eigendecomposition
 * with vectors, two products and one eigenvalue-only decomposition suffice.
 */
import { FeatureMatrix } from './features';
import { matmul, symmetricEigen, trace } from './linalg';
import { GaussianStats, gaussianStats } from './moments';

/** Trace of the square root of S1 S2 for symmetric PSD S1, S2 (n x n). */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, n: number): number {
  const { values: l1, vectors: v } = symmetricEigen(s1, n, { vectors: true });
  // v's rows are eigenvectors, i.e. v = V^T. B = V^T S2 V = v S2 v^T.
  const vs2 = matmul(v!, s2, n, n, n); // v S2  (S2 symmetric)
  const m = new Float64Array(n * n);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = Math.sqrt(Math.max(l1[i], 0));
  for (let i = 0; i < n; i++) {
    const ai = i * n;
    for (let j = i; j < n; j++) {
      const bj = j * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += vs2[ai + k] * v![bj + k];
      const val = sq[i] * s * sq[j];
      m[ai + j] = val;
      m[j * n + i] = val;
    }
  }
  const { values } = symmetricEigen(m, n, { vectors: false });
  let t = 0;
  for (let i = 0; i < n; i++) t += Math.sqrt(Math.max(values[i], 0));
  return t;
}

/** Fréchet distance between N(mu1, s1) and N(mu2, s2). */
export function frechetDistance(a: Pick<GaussianStats, 'mean' | 'cov'>, b: Pick<GaussianStats, 'mean' | 'cov'>): number {
  const n = a.mean.length;
  if (b.mean.length !== n) throw new Error(`Fréchet distance: feature dimensions differ (${n} vs ${b.mean.length})`);
  if (a.cov.length !== n * n || b.cov.length !== n * n) throw new Error(`Fréchet distance: covariances must be ${n}x${n}`);
  let diff = 0;
  for (let i = 0; i < n; i++) diff += (a.mean[i] - b.mean[i]) ** 2;
  const fd = diff + trace(a.cov, n) + trace(b.cov, n) - 2 * traceSqrtProduct(a.cov, b.cov, n);
  // Rounding can give a tiny negative number for identical distributions.
  return Math.max(fd, 0);
}

/** FID between two feature matrices (rows = samples), as tfgan's frechet_classifier_distance. */
export function fidFromFeatures(real: FeatureMatrix, fake: FeatureMatrix): number {
  if (real.cols !== fake.cols) throw new Error(`FID: real features have ${real.cols} columns, fake ${fake.cols}`);
  return frechetDistance(gaussianStats(real), gaussianStats(fake));
}
