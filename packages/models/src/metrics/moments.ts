/**
 * Streaming mean and covariance in float64 (batches of features in, statistics out), so that
 * FID over 10,000 images never holds all the features. Rows are shifted by the first row seen
 * before accumulating, which keeps the sums well conditioned.
 */
import { FeatureMatrix } from './features';

export interface GaussianStats {
  /** Number of samples. */
  n: number;
  dim: number;
  mean: Float64Array;
  /** dim*dim row-major, unbiased (divided by n - 1, as numpy.cov and tfgan). */
  cov: Float64Array;
}

export class RunningMoments {
  private n = 0;
  private shift: Float64Array | null = null;
  private readonly sum: Float64Array;
  /** Upper triangle of sum of (x - shift)(x - shift)^T. */
  private readonly outer: Float64Array;
  private readonly block: Float64Array;
  static readonly BLOCK = 32;

  constructor(readonly dim: number) {
    this.sum = new Float64Array(dim);
    this.outer = new Float64Array(dim * dim);
    this.block = new Float64Array(dim * RunningMoments.BLOCK);
  }

  get count(): number {
    return this.n;
  }

  add(batch: FeatureMatrix): void {
    const d = this.dim;
    if (batch.cols !== d) throw new Error(`features have ${batch.cols} columns, expected ${d}`);
    if (batch.rows === 0) return;
    if (!this.shift) this.shift = Float64Array.from(batch.data.subarray(0, d));
    const s = this.shift;
    // Blocks of B rows, stored feature-major (xt[j*B + r]), so that the upper triangle of the
    // outer-product sum is updated once per block with contiguous dot products.
    const B = RunningMoments.BLOCK;
    const xt = this.block;
    const o = this.outer;
    for (let r0 = 0; r0 < batch.rows; r0 += B) {
      const nb = Math.min(B, batch.rows - r0);
      for (let r = 0; r < nb; r++) {
        const off = (r0 + r) * d;
        for (let j = 0; j < d; j++) {
          const v = batch.data[off + j];
          if (!Number.isFinite(v)) throw new Error(`features contain a non-finite value (${v}) at row ${this.n + r0 + r}, column ${j}`);
          const x = v - s[j];
          xt[j * B + r] = x;
          this.sum[j] += x;
        }
      }
      for (let i = 0; i < d; i++) {
        const bi = i * B;
        const oi = i * d;
        for (let j = i; j < d; j++) {
          const bj = j * B;
          let acc = 0;
          for (let r = 0; r < nb; r++) acc += xt[bi + r] * xt[bj + r];
          o[oi + j] += acc;
        }
      }
    }
    this.n += batch.rows;
  }

  stats(): GaussianStats {
    const d = this.dim;
    const n = this.n;
    if (n < 2) throw new Error(`a covariance needs at least 2 samples, got ${n}`);
    const mean = new Float64Array(d);
    const m0 = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      m0[j] = this.sum[j] / n;
      mean[j] = m0[j] + this.shift![j];
    }
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const c = (this.outer[i * d + j] - n * m0[i] * m0[j]) / (n - 1);
        cov[i * d + j] = c;
        cov[j * d + i] = c;
      }
    }
    return { n, dim: d, mean, cov };
  }
}

/** Mean and unbiased covariance of the rows of `m`. */
export function gaussianStats(m: FeatureMatrix): GaussianStats {
  const acc = new RunningMoments(m.cols);
  acc.add(m);
  return acc.stats();
}
