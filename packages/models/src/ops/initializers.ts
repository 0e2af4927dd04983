/**
 * Weight initializers (compare_gan's arch_ops.weight_initializer, Gin name `weights`):
 * `weights.initializer` picks one of 'normal' (default), 'truncated', 'orthogonal', 'glorot';
 * `weights.stddev` (default 0.02) is the standard deviation of 'normal' and 'truncated'.
 *
 * Each initializer is `(shape, seed) => Tensor`, deterministic for a given seed.
 * Semantics are TensorFlow 1's:
 * - normal:     tf.initializers.random_normal(stddev)
 * - truncated:  tf.initializers.truncated_normal(stddev) (re-drawn beyond 2 stddev)
 * - orthogonal: tf.initializers.orthogonal() — the kernel flattened to [prod(shape[:-1]), shape[-1]]
 *               has orthonormal columns (or rows, when it is wide)
 * - glorot:     tf.initializers.glorot_normal() — truncated normal with
 *               stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796 (used by resnet_biggan's projection)
 *
 * Unlike compare_gan (whose layers always pass stddev=0.02 explicitly, so a `weights.stddev`
 * binding had no effect), a layer here passes stddev only when its caller gives one, so
 * `weights.stddev` is honoured.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { Matrix, QrDecomposition } from 'ml-matrix';

export type WeightInit = (shape: number[], seed: number) => tf.Tensor;

export const NORMAL_INIT = 'normal';
export const TRUNCATED_INIT = 'truncated';
export const ORTHOGONAL_INIT = 'orthogonal';
export const GLOROT_INIT = 'glorot';
export const INITIALIZERS = [NORMAL_INIT, TRUNCATED_INIT, ORTHOGONAL_INIT, GLOROT_INIT] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

/** tf.initializers.random_normal(stddev). */
export function normalInit(stddev: number): WeightInit {
  return (shape, seed) => tf.randomNormal(shape, 0, stddev, 'float32', seed);
}

/** tf.initializers.truncated_normal(stddev): values beyond 2 stddev are re-drawn. */
export function truncatedInit(stddev: number): WeightInit {
  return (shape, seed) => tf.truncatedNormal(shape, 0, stddev, 'float32', seed);
}

/** Fan-in and fan-out as TensorFlow computes them ([..., in, out], receptive field in front). */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 1) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** tf.initializers.glorot_normal(): variance scaling (fan_avg) with a truncated normal. */
export function glorotInit(): WeightInit {
  return (shape, seed) => {
    const { fanIn, fanOut } = fans(shape);
    // 0.8796... is the stddev of a standard normal truncated to [-2, 2].
    const stddev = Math.sqrt(1 / Math.max(1, (fanIn + fanOut) / 2)) / 0.87962566103423978;
    return tf.truncatedNormal(shape, 0, stddev, 'float32', seed);
  };
}

/** Above this many elements the orthogonal initializer uses CholeskyQR2 (ml-matrix takes minutes). */
const LARGE_ORTHOGONAL = 1 << 20;

/**
 * The Q factor (positive-diagonal R, i.e. the sign-corrected Householder Q: the QR
 * decomposition with diag(R) > 0 is unique) of an [m, n] Gaussian matrix (m >= n) by
 * CholeskyQR2: Q = A R^-1 with R^T R = A^T A, done twice for orthogonality to float32
 * precision. The O(m n^2) products run as tensor matMuls on the active backend, the O(n^3)
 * Cholesky factorisation and triangular inverse in float64 JS. Returns null (caller falls back
 * to Householder) if a Cholesky pivot is not positive, which a Gaussian matrix practically never gives.
 */
export function choleskyQr2(m: number, n: number, seed: number): tf.Tensor2D | null {
  let q = tf.randomNormal([m, n], 0, 1, 'float32', seed) as tf.Tensor2D;
  for (let pass = 0; pass < 2; pass++) {
    const gramT = tf.matMul(q, q, true, false);
    const gram = gramT.dataSync();
    gramT.dispose();
    const lInv = lowerCholeskyInverse(gram, n);
    if (!lInv) {
      q.dispose();
      return null;
    }
    const lInvT = tf.tensor2d(lInv, [n, n], 'float32');
    // R^-1 = (L^T)^-1 = (L^-1)^T.
    const next = tf.matMul(q, lInvT, false, true) as tf.Tensor2D;
    tf.dispose([q, lInvT]);
    q = next;
  }
  return q;
}

/** L^-1 for the lower Cholesky factor L of the symmetric [n, n] matrix `g` (row-major); null if not positive definite. */
function lowerCholeskyInverse(g: ArrayLike<number>, n: number): Float32Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = g[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = g[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / ljj;
    }
  }
  // Forward substitution row by row: X = L^-1 (lower triangular), L X = I. X is kept
  // transposed (xt[j * n + k] = X[k][j]) so the inner loop reads both operands contiguously.
  const xt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const inv = 1 / l[ri + i];
    for (let j = 0; j < i; j++) {
      const cj = j * n;
      let s = 0;
      for (let k = j; k < i; k++) s += l[ri + k] * xt[cj + k];
      xt[cj + i] = -s * inv;
    }
    xt[ri + i] = inv;
  }
  const x = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) x[i * n + j] = xt[j * n + i];
  return x;
}

/**
 * tf.initializers.orthogonal(gain): QR of a Gaussian matrix of shape [max(r, c), min(r, c)]
 * (r = prod(shape[:-1]), c = shape[-1]), Q's columns sign-corrected by diag(R), transposed
 * when the kernel is wide. (QR by ml-matrix's Householder decomposition; CholeskyQR2 with the
 * backend's matMul for kernels above 2^20 elements, e.g. BigGAN's.)
 */
export function orthogonalInit(gain = 1): WeightInit {
  return (shape, seed) => {
    if (shape.length < 2) {
      throw new Error(`The orthogonal initializer needs a kernel of rank >= 2, got shape [${shape}]; use weights.initializer = "normal" for vectors.`);
    }
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1];
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    if (m * n > LARGE_ORTHOGONAL) {
      const fast = choleskyQr2(m, n, seed);
      if (fast) {
        return tf.tidy(() => {
          const q = gain === 1 ? fast : tf.mul(fast, gain);
          return tf.reshape(rows >= cols ? q : tf.transpose(q), shape);
        });
      }
    }
    // Not tf.tidy(() => ....dataSync()): tidy walks a returned typed array element by element
    // (a JS Set of each), which fails beyond 2^24 elements (BigGAN's 3x3x1536x1536 kernels).
    const gaussian = tf.randomNormal([m, n], 0, 1, 'float32', seed);
    const draws = gaussian.dataSync();
    gaussian.dispose();
    const a = new Matrix(m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a.set(i, j, draws[i * n + j]);
    const qr = new QrDecomposition(a);
    const q = qr.orthogonalMatrix;
    const r = qr.upperTriangularMatrix;
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const sign = r.get(j, j) < 0 ? -1 : 1;
        const v = gain * sign * q.get(i, j);
        // q is [m, n]; the kernel is [rows, cols]: q itself when tall, q^T when wide.
        if (rows >= cols) out[i * cols + j] = v;
        else out[j * cols + i] = v;
      }
    }
    return tf.tensor(out, shape, 'float32');
  };
}

/** An initializer by name; `stddev` is used by 'normal' and 'truncated'. */
export function initializerByName(name: string, stddev: number): WeightInit {
  switch (name) {
    case NORMAL_INIT:
      return normalInit(stddev);
    case TRUNCATED_INIT:
      return truncatedInit(stddev);
    case ORTHOGONAL_INIT:
      return orthogonalInit();
    case GLOROT_INIT:
      return glorotInit();
    default:
      throw new Error(`Unknown weight initializer "${name}" (weights.initializer); use one of ${INITIALIZERS.map((x) => `"${x}"`).join(', ')}.`);
  }
}

/** compare_gan's `weights` configurable: the initializer for layer kernels. */
export const weight_initializer = configurable(
  'weights',
  {
    module: 'arch_ops',
    params: {
      initializer: { default: NORMAL_INIT, type: t.oneOf(...INITIALIZERS), doc: 'normal | truncated | orthogonal | glorot' },
      stddev: { default: 0.02, type: t.number, doc: 'standard deviation of the normal and truncated initializers' },
    },
  },
  (kw: { initializer?: string; stddev?: number }): WeightInit => initializerByName(kw.initializer ?? NORMAL_INIT, kw.stddev ?? 0.02),
);

/** A constant initializer (biases, gamma/beta, ...). */
export function constantInit(value: number): (shape: number[]) => tf.Tensor {
  return (shape) => tf.fill(shape, value);
}
