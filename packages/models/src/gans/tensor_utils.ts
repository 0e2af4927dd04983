/** Small tensor helpers shared by the GAN variants (compare_gan's gans/utils.py and TF ops tfjs lacks). */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';

/** tf.stop_gradient: the identity whose gradient is zero. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((a: tf.Tensor) => ({ value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as never);
  return f(x) as T;
}

/**
 * compare_gan's utils.rotate_images: the images rotated by k * 90 degrees for each k in
 * `rot90Scalars`, concatenated along the batch axis in that order. Images must be square.
 */
export function rotateImages(images: tf.Tensor4D, rot90Scalars: number[] = [0, 1, 2, 3]): tf.Tensor4D {
  const [, h, w] = images.shape;
  if (h !== w) throw new Error(`Rotation self-supervision needs square images, got ${h}x${w}.`);
  return tf.tidy(() => {
    const rotations = [
      () => images,
      () => tf.reverse(tf.transpose(images, [0, 2, 1, 3]), 1), // 90: flip_up_down(transpose)
      () => tf.reverse(images, [1, 2]), // 180: flip_left_right(flip_up_down)
      () => tf.transpose(tf.reverse(images, 1), [0, 2, 1, 3]), // 270: transpose(flip_up_down)
    ];
    return tf.concat(rot90Scalars.map((k) => rotations[k]()), 0) as tf.Tensor4D;
  });
}

/** [0]*n, [1]*n, ..., [k-1]*n as a one-hot [k*n, k] matrix (np.repeat(np.arange(k), n)). */
export function repeatedOneHot(k: number, n: number): tf.Tensor2D {
  const idx = new Int32Array(k * n);
  for (let i = 0; i < k * n; i++) idx[i] = Math.floor(i / n);
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(idx, 'int32'), k), 'float32') as tf.Tensor2D);
}

/** -mean(sum(onehot * log(softmax(logits) + 1e-10), 1)): compare_gan's rotation loss. */
export function softmaxCrossEntropy(onehot: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(tf.add(tf.softmax(logits), 1e-10))), 1))) as tf.Scalar);
}

/**
 * tf.losses.softmax_cross_entropy(labels, logits, weights) with TF's default reduction
 * SUM_BY_NONZERO_WEIGHTS: sum(w * ce) / #(w != 0), 0 when every weight is 0.
 */
export function weightedSoftmaxCrossEntropy(labels: tf.Tensor2D, logits: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const ce = tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1));
    const nonzero = tf.sum(tf.cast(tf.notEqual(weights, 0), 'float32'));
    return tf.div(tf.sum(tf.mul(ce, weights)), tf.maximum(nonzero, 1)) as tf.Scalar;
  });
}

/**
 * A dense layer for the auxiliary heads (rotation, predictor) under the current store scope:
 * `<scope>/kernel` ~ N(0, 0.02^2) (compare_gan's default weights.initializer) and `<scope>/bias` = 0.
 */
export function linear(store: VariableStore, rng: Rng, x: tf.Tensor2D, units: number, scope: string, useBias = true): tf.Tensor2D {
  return store.scope(scope, () => {
    const inDim = x.shape[1];
    const seed = rng.nextSeed();
    const kernel = store.get('kernel', [inDim, units], (s) => tf.randomNormal(s, 0, 0.02, 'float32', seed));
    let y = tf.matMul(x, kernel);
    if (useBias) y = tf.add(y, store.get('bias', [units], (s) => tf.zeros(s)));
    return y as tf.Tensor2D;
  });
}

/** tf.initializers.glorot_normal (TF1: truncated normal, stddev sqrt(2 / (fan_in + fan_out)) / .8796). */
export function glorotNormal(shape: number[], seed: number): tf.Tensor {
  const [fanIn, fanOut] = shape;
  return tf.truncatedNormal(shape, 0, Math.sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978, 'float32', seed);
}

/** One-hot labels [batch, numClasses] with rows of hidden labels (labelled == 0) set to zero. */
export function maskedOneHot(labels: tf.Tensor1D, labelled: tf.Tensor1D | undefined, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => {
    const oh = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D;
    return (labelled ? tf.mul(oh, tf.expandDims(tf.cast(labelled, 'float32'), 1)) : oh) as tf.Tensor2D;
  });
}

/** The last n rows of x. */
export function lastRows<T extends tf.Tensor>(x: T, n: number): T {
  return tf.slice(x, [x.shape[0] - n], [n]) as T;
}

/** The first n rows of x. */
export function firstRows<T extends tf.Tensor>(x: T, n: number): T {
  return tf.slice(x, [0], [n]) as T;
}
