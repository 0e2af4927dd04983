/** Small tensor helpers shared by the GAN variants (compare_gan's gans/utils.py and TF ops tfjs lacks). */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { glorotInit } from '../ops/initializers';
import { kernelVariable, linear as opLinear } from '../ops/layers';

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

/** Options of the auxiliary heads: where they live and whether D uses spectral norm. */
export interface HeadContext {
  store: VariableStore;
  rng: Rng;
  isTraining: boolean;
  /** D's spectral_norm (compare_gan's heads follow the discriminator's `use_sn`). */
  useSn: boolean;
}

/**
 * A dense layer for the auxiliary heads (rotation, predictor): arch_ops.linear in scope `scope`
 * (`<scope>/kernel` from `weights.initializer`, `<scope>/bias`, spectral norm when D uses it).
 */
export function linear(h: HeadContext, x: tf.Tensor2D, units: number, scope: string, useBias = true): tf.Tensor2D {
  return opLinear({ store: h.store, rng: h.rng, isTraining: h.isTraining }, x, units, { scope, use_bias: useBias, use_sn: h.useSn });
}

/** compare_gan's S3GAN.get_class_embedding: y @ kernel, kernel glorot-normal (spectrally normalised with D). */
export function classEmbedding(h: HeadContext, y: tf.Tensor2D, embeddingDim: number, scope: string): tf.Tensor2D {
  return h.store.scope(scope, () => {
    const kernel = kernelVariable({ store: h.store, rng: h.rng, isTraining: h.isTraining }, 'kernel', [y.shape[1], embeddingDim], { initializer: glorotInit(), use_sn: h.useSn });
    return tf.matMul(y, kernel as tf.Tensor2D);
  });
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

/**
 * The fake half of `realFakeWithRotations` alone: the fakes, then the last `n` of them rotated by
 * 90, 180 and 270 degrees (labels tiled alike); G's step when it skips the real half.
 */
export function fakesWithRotations(fake: tf.Tensor4D, fakeY: tf.Tensor2D | null, n: number, rotation: boolean): { images: tf.Tensor4D; y: tf.Tensor2D | null } {
  if (!rotation) return { images: fake, y: fakeY };
  return {
    images: tf.concat([fake, rotateImages(lastRows(fake, n), [1, 2, 3])], 0) as tf.Tensor4D,
    y: fakeY ? (tf.concat([fakeY, tf.tile(lastRows(fakeY, n), [3, 1])], 0) as tf.Tensor2D) : null,
  };
}

/**
 * The discriminator input of a self-supervised step (compare_gan's SSGAN/S3GAN): real images,
 * the last `n` real images rotated by 90, 180 and 270 degrees, then the same for the fakes
 * (labels tiled alike). Without rotation: real then fake. Either way D's outputs split in two halves.
 */
export function realFakeWithRotations(
  images: tf.Tensor4D,
  fake: tf.Tensor4D,
  realY: tf.Tensor2D | null,
  fakeY: tf.Tensor2D | null,
  n: number,
  rotation: boolean,
): { images: tf.Tensor4D; y: tf.Tensor2D | null } {
  if (!rotation) {
    return {
      images: tf.concat([images, fake], 0) as tf.Tensor4D,
      y: realY && fakeY ? (tf.concat([realY, fakeY], 0) as tf.Tensor2D) : null,
    };
  }
  return {
    images: tf.concat([images, rotateImages(lastRows(images, n), [1, 2, 3]), fake, rotateImages(lastRows(fake, n), [1, 2, 3])], 0) as tf.Tensor4D,
    y: realY && fakeY ? (tf.concat([realY, tf.tile(lastRows(realY, n), [3, 1]), fakeY, tf.tile(lastRows(fakeY, n), [3, 1])], 0) as tf.Tensor2D) : null,
  };
}
