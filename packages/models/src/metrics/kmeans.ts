/**
 * k-means (Lloyd's algorithm with k-means++ seeding, best of `nInit` restarts by inertia),
 * float64, for PRD's clustering of the union of real and generated features.
 */
import { Rng } from '../core/rng';
import { FeatureMatrix } from './features';

export interface KMeansOptions {
  k: number;
  nInit?: number;
  maxIter?: number;
  /** Stop when no assignment changes or centres move less than this (squared, relative). */
  tol?: number;
  rng: Rng;
}

export interface KMeansResult {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
}

function sqDist(x: FeatureMatrix, i: number, c: Float64Array, j: number): number {
  const d = x.cols;
  let s = 0;
  const xo = i * d;
  const co = j * d;
  for (let t = 0; t < d; t++) {
    const v = x.data[xo + t] - c[co + t];
    s += v * v;
  }
  return s;
}

function seedPlusPlus(x: FeatureMatrix, k: number, rng: Rng): Float64Array {
  const { rows: n, cols: d } = x;
  const centers = new Float64Array(k * d);
  const first = rng.int(n);
  centers.set(x.data.subarray(first * d, first * d + d), 0);
  const best = new Float64Array(n);
  for (let i = 0; i < n; i++) best[i] = sqDist(x, i, centers, 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += best[i];
    let pick = 0;
    if (total > 0) {
      let u = rng.uniform() * total;
      for (pick = 0; pick < n - 1; pick++) {
        u -= best[pick];
        if (u < 0) break;
      }
    } else pick = rng.int(n);
    centers.set(x.data.subarray(pick * d, pick * d + d), c * d);
    for (let i = 0; i < n; i++) best[i] = Math.min(best[i], sqDist(x, i, centers, c));
  }
  return centers;
}

function lloyd(x: FeatureMatrix, centers: Float64Array, k: number, maxIter: number, tol: number, rng: Rng): KMeansResult {
  const { rows: n, cols: d } = x;
  const labels = new Int32Array(n).fill(-1);
  const counts = new Float64Array(k);
  let inertia = 0;
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let bj = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        const dist = sqDist(x, i, centers, j);
        if (dist < bd) {
          bd = dist;
          bj = j;
        }
      }
      if (labels[i] !== bj) changed++;
      labels[i] = bj;
      inertia += bd;
    }
    if (changed === 0) break;
    const next = new Float64Array(k * d);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      counts[j]++;
      for (let t = 0; t < d; t++) next[j * d + t] += x.data[i * d + t];
    }
    let shift = 0;
    let scale = 0;
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // Empty cluster: restart it on a random point.
        const p = rng.int(n);
        for (let t = 0; t < d; t++) next[j * d + t] = x.data[p * d + t];
      } else for (let t = 0; t < d; t++) next[j * d + t] /= counts[j];
      for (let t = 0; t < d; t++) {
        shift += (next[j * d + t] - centers[j * d + t]) ** 2;
        scale += centers[j * d + t] ** 2;
      }
    }
    centers.set(next);
    if (shift <= tol * Math.max(scale, 1e-300)) {
      // Final assignment to the converged centres.
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let bj = 0;
        let bd = Infinity;
        for (let j = 0; j < k; j++) {
          const dist = sqDist(x, i, centers, j);
          if (dist < bd) {
            bd = dist;
            bj = j;
          }
        }
        labels[i] = bj;
        inertia += bd;
      }
      break;
    }
  }
  return { labels, centers, inertia };
}

export function kmeans(x: FeatureMatrix, opts: KMeansOptions): KMeansResult {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k-means: number of clusters must be a positive integer, got ${k}`);
  if (x.rows < k) throw new Error(`k-means: ${x.rows} points cannot form ${k} clusters`);
  let best: KMeansResult | null = null;
  for (let r = 0; r < (opts.nInit ?? 10); r++) {
    const centers = seedPlusPlus(x, k, opts.rng);
    const res = lloyd(x, centers, k, opts.maxIter ?? 300, opts.tol ?? 1e-8, opts.rng);
    if (!best || res.inertia < best.inertia) best = res;
  }
  return best!;
}
