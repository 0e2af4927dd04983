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

/**
 * tf.initializers.orthogonal(gain): QR of a Gaussian matrix of shape [max(r, c), min(r, c)]
 * (r = prod(shape[:-1]), c = shape[-1]), Q's columns sign-corrected by diag(R), transposed
 * when the kernel is wide. (QR by ml-matrix's Householder decomposition.)
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
    const draws = tf.tidy(() => tf.randomNormal([m, n], 0, 1, 'float32', seed).dataSync());
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
