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
  /** Stop when no assignment changes or the centres' total squared shift is below tol x the mean
   * feature variance (scikit-learn's KMeans rule and default, 1e-4). */
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

/** Squared norms of the k rows of c. */
function rowNorms(c: Float64Array, k: number, d: number): Float64Array {
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += c[j * d + t] * c[j * d + t];
    out[j] = s;
  }
  return out;
}

/**
 * Lloyd's iterations with Hamerly's bounds (Hamerly 2010): each point keeps an upper bound on
 * the distance to its centre and a lower bound on the distance to any other; a point whose
 * bounds show that its centre cannot have changed skips the k distance computations. Same
 * assignments as plain Lloyd, most points skipped after the first iterations.
 */
function lloyd(xm: FeatureMatrix, x: Float64Array, xNorm: Float64Array, centers: Float64Array, k: number, maxIter: number, tol: number, rng: Rng): KMeansResult {
  const { rows: n, cols: d } = xm;
  const labels = new Int32Array(n).fill(-1);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const counts = new Float64Array(k);
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  const dist = (i: number, cn: Float64Array, j: number): number => {
    const xo = i * d;
    const co = j * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t = 0;
    for (; t + 3 < d; t += 4) {
      s0 += x[xo + t] * centers[co + t];
      s1 += x[xo + t + 1] * centers[co + t + 1];
      s2 += x[xo + t + 2] * centers[co + t + 2];
      s3 += x[xo + t + 3] * centers[co + t + 3];
    }
    for (; t < d; t++) s0 += x[xo + t] * centers[co + t];
    return Math.sqrt(Math.max(xNorm[i] - 2 * (s0 + s1 + s2 + s3) + cn[j], 0));
  };
  const nearestTwo = (i: number, cn: Float64Array): void => {
    let b1 = Infinity;
    let b2 = Infinity;
    let bj = 0;
    for (let j = 0; j < k; j++) {
      const v = dist(i, cn, j);
      if (v < b1) {
        b2 = b1;
        b1 = v;
        bj = j;
      } else if (v < b2) b2 = v;
    }
    labels[i] = bj;
    upper[i] = b1;
    lower[i] = b2;
  };
  let cNorm = rowNorms(centers, k, d);
  for (let i = 0; i < n; i++) nearestTwo(i, cNorm);
  for (let it = 0; it < maxIter; it++) {
    // Half the distance from each centre to its nearest other centre.
    for (let j = 0; j < k; j++) {
      let m = Infinity;
      for (let q = 0; q < k; q++) {
        if (q === j) continue;
        let s = 0;
        for (let t = 0; t < d; t++) s += (centers[j * d + t] - centers[q * d + t]) ** 2;
        m = Math.min(m, s);
      }
      half[j] = Math.sqrt(m) / 2;
    }
    if (it > 0) {
      let changed = 0;
      for (let i = 0; i < n; i++) {
        const a = labels[i];
        const bound = Math.max(half[a], lower[i]);
        if (upper[i] <= bound) continue;
        upper[i] = dist(i, cNorm, a);
        if (upper[i] <= bound) continue;
        nearestTwo(i, cNorm);
        if (labels[i] !== a) changed++;
      }
      if (changed === 0) break;
    }
    const next = new Float64Array(k * d);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      counts[j]++;
      for (let t = 0; t < d; t++) next[j * d + t] += x[i * d + t];
    }
    let shift = 0;
    let restarted = false;
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // Empty cluster: restart it on a random point.
        const p = rng.int(n);
        for (let t = 0; t < d; t++) next[j * d + t] = x[p * d + t];
        restarted = true;
      } else for (let t = 0; t < d; t++) next[j * d + t] /= counts[j];
      let m = 0;
      for (let t = 0; t < d; t++) m += (next[j * d + t] - centers[j * d + t]) ** 2;
      moved[j] = Math.sqrt(m);
      shift += m;
    }
    centers.set(next);
    cNorm = rowNorms(centers, k, d);
    let maxMoved = 0;
    for (let j = 0; j < k; j++) maxMoved = Math.max(maxMoved, moved[j]);
    for (let i = 0; i < n; i++) {
      upper[i] += moved[labels[i]];
      lower[i] -= maxMoved;
    }
    if (restarted) for (let i = 0; i < n; i++) nearestTwo(i, cNorm);
    if (shift <= tol) break;
  }
  // Final assignment to the final centres.
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    nearestTwo(i, cNorm);
    inertia += upper[i] * upper[i];
  }
  return { labels, centers, inertia };
}

export function kmeans(x: FeatureMatrix, opts: KMeansOptions): KMeansResult {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k-means: number of clusters must be a positive integer, got ${k}`);
  if (x.rows < k) throw new Error(`k-means: ${x.rows} points cannot form ${k} clusters`);
  const { rows: n, cols: d } = x;
  const data = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
  const xNorm = rowNorms(data, n, d);
  // scikit-learn's convergence test: total squared centre shift <= tol * mean feature variance.
  let meanVar = 0;
  for (let t = 0; t < d; t++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + t];
      s += v;
      s2 += v * v;
    }
    meanVar += Math.max(s2 / n - (s / n) ** 2, 0) / d;
  }
  const tol = (opts.tol ?? 1e-4) * meanVar;
  let best: KMeansResult | null = null;
  for (let r = 0; r < (opts.nInit ?? 10); r++) {
    const centers = seedPlusPlus(x, k, opts.rng);
    const res = lloyd(x, data, xNorm, centers, k, opts.maxIter ?? 300, tol, opts.rng);
    if (!best || res.inertia < best.inertia) best = res;
  }
  return best!;
}
