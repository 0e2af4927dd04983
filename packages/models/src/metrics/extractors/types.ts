/**
 * A feature extractor maps images (float32 NHWC in [0, 1], the datasets' contract) to a
 * feature vector per image (for FID, KID, PRD) and, when it is a classifier, class logits
 * (for the Inception Score and accuracy). Its `name` tags the metrics it produced:
 * `fid[fashion-mnist-classifier@7cfeae34]` (the weights' fingerprint), `fid[inception]`.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ExtractorOutput {
  /** [batch, featureDim]. */
  features: tf.Tensor2D;
  /** [batch, numClasses] logits (or log-probabilities), when the extractor classifies. */
  logits?: tf.Tensor2D;
}

export interface FeatureExtractor {
  /** Short id used in metric names and in the real-statistics cache key. */
  readonly name: string;
  /** Identifies the exact weights (e.g. a hash of the weight file): part of the cache key. */
  readonly fingerprint: string;
  readonly featureDim: number;
  /** Test accuracy of a classifier extractor, when known (recorded beside the metrics). */
  readonly accuracy?: number;
  /** Number of classes of the logits, or 0 when the extractor has none. */
  readonly numClasses: number;
  /** Runs on one batch; the caller disposes the returned tensors. */
  extract(images: tf.Tensor4D): ExtractorOutput;
  dispose(): void;
}

/**
 * Adapts images to what a model expects: resizes (bilinear) to `size`x`size`, converts
 * grayscale to RGB (or RGB to gray), and maps [0, 1] to `range`.
 */
export function prepareImages(images: tf.Tensor4D, target: { height: number; width: number; channels: number; range: [number, number] }): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = images;
    const [, h, w, c] = x.shape;
    if (h !== target.height || w !== target.width) x = tf.image.resizeBilinear(x, [target.height, target.width]);
    if (c !== target.channels) {
      if (c === 1 && target.channels === 3) x = tf.tile(x, [1, 1, 1, 3]);
      else if (c === 3 && target.channels === 1) x = tf.mean(x, 3, true);
      else throw new Error(`cannot feed ${c}-channel images to a model expecting ${target.channels} channels`);
    }
    const [lo, hi] = target.range;
    if (lo !== 0 || hi !== 1) x = tf.add(tf.mul(x, hi - lo), lo);
    return x;
  });
}
