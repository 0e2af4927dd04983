/**
 * Dense float64 linear algebra for the metrics: row-major `Float64Array`s of n*n entries.
 *
 * `symmetricEigen` is the Householder tridiagonalisation + implicit QL algorithm (EISPACK
 * tred2/tql2 as published in JAMA, public domain), rewritten so that every O(n^3) loop walks
 * memory contiguously: the transformation matrix is kept transposed (row j of `w` is
 * eigenvector j). A 2048x2048 matrix takes tens of seconds, not minutes.
 */

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Row-major n*n; row i is the unit eigenvector of values[i] (absent when not requested). */
  vectors?: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric n*n matrix `a` (row-major, only symmetric input is
 * meaningful; `a` is not modified). `vectors: false` skips the eigenvectors (much faster).
 */
export function symmetricEigen(a: Float64Array, n: number, opts: { vectors?: boolean } = {}): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n}x${n} = ${n * n} entries, got ${a.length}`);
  const wantVectors = opts.vectors ?? true;
  if (n === 0) return { values: new Float64Array(0), vectors: wantVectors ? new Float64Array(0) : undefined };
  // w[c*n + r] holds JAMA's V[r][c] (w = V transposed).
  const w = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) w[c * n + r] = 0.5 * (a[r * n + c] + a[c * n + r]);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(n, w, d, e, wantVectors);
  tql2(n, w, d, e, wantVectors);
  return { values: d, vectors: wantVectors ? w : undefined };
}

/** Householder reduction to tridiagonal form (JAMA tred2), V stored transposed in w. */
function tred2(n: number, w: Float64Array, d: Float64Array, e: Float64Array, accumulate: boolean): void {
  // V[r][c] == w[c*n + r]
  for (let j = 0; j < n; j++) d[j] = w[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + (i - 1)];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h = h - f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        w[i * n + j] = f; // V[j][i] = f
        g = e[j] + w[j * n + j] * f;
        const rowJ = j * n;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = w[rowJ + k]; // V[k][j]
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const rowJ = j * n;
        for (let k = j; k <= i - 1; k++) w[rowJ + k] -= f * e[k] + g * d[k]; // V[k][j]
        d[j] = w[rowJ + (i - 1)]; // V[i-1][j]
        w[rowJ + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }
  if (accumulate) {
    for (let i = 0; i < n - 1; i++) {
      w[i * n + (n - 1)] = w[i * n + i]; // V[n-1][i] = V[i][i]
      w[i * n + i] = 1;
      const h = d[i + 1];
      const rowI1 = (i + 1) * n; // V[k][i+1] == w[rowI1 + k]
      if (h !== 0) {
        for (let k = 0; k <= i; k++) d[k] = w[rowI1 + k] / h;
        for (let j = 0; j <= i; j++) {
          const rowJ = j * n;
          let g = 0;
          for (let k = 0; k <= i; k++) g += w[rowI1 + k] * w[rowJ + k];
          for (let k = 0; k <= i; k++) w[rowJ + k] -= g * d[k];
        }
      }
      for (let k = 0; k <= i; k++) w[rowI1 + k] = 0;
    }
    for (let j = 0; j < n; j++) {
      d[j] = w[j * n + (n - 1)];
      w[j * n + (n - 1)] = 0;
    }
    w[(n - 1) * n + (n - 1)] = 1;
  } else {
    // Eigenvalues only: the tridiagonal's diagonal is on V's diagonal.
    for (let j = 0; j < n; j++) d[j] = w[j * n + j];
  }
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
}

/** Symmetric tridiagonal QL algorithm (JAMA tql2), V stored transposed in w. */
function tql2(n: number, w: Float64Array, d: Float64Array, e: Float64Array, vectors: boolean): void {
  let f = 0;
  let tst1 = 0;
  const eps = Math.pow(2, -52);
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m === n) m = n - 1;
    if (m > l) {
      let iter = 0;
      do {
        iter++;
        if (iter > 300) throw new Error('symmetricEigen: QL iteration did not converge (matrix has NaN or Inf entries?)');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (vectors) {
            const a = (i + 1) * n;
            const b = i * n;
            for (let k = 0; k < n; k++) {
              const hk = w[a + k];
              w[a + k] = s * w[b + k] + c * hk;
              w[b + k] = c * w[b + k] - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
  // Sort eigenvalues (and vectors) ascending.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) if (d[j] < p) {
      k = j;
      p = d[j];
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      if (vectors) {
        const a = i * n;
        const b = k * n;
        for (let j = 0; j < n; j++) {
          const t = w[a + j];
          w[a + j] = w[b + j];
          w[b + j] = t;
        }
      }
    }
  }
}

/** C = A (m x k) times B (k x n), row-major. */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
    }
  }
  return c;
}

/**
 * Square root of a symmetric positive semi-definite matrix: V diag(sqrt(max(lambda, 0))) V^T.
 * Tiny negative eigenvalues from rounding are clamped to 0.
 */
export function sqrtmPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n, { vectors: true });
  const v = vectors!;
  // Scaled rows: s[i] = sqrt(lambda_i) * v_i; result = sum_i sqrt(lambda_i) v_i v_i^T = S^T V'.
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = Math.sqrt(Math.max(values[i], 0));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const s = sq[i];
    if (s === 0) continue;
    const vi = i * n;
    for (let r = 0; r < n; r++) {
      const f = s * v[vi + r];
      if (f === 0) continue;
      const or = r * n;
      for (let c = 0; c < n; c++) out[or + c] += f * v[vi + c];
    }
  }
  return out;
}

/** Sum of the diagonal of an n*n matrix. */
export function trace(a: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i];
  return t;
}
