/**
 * Noise distributions under TensorFlow's Gin names, for `z.distribution_fn` and
 * `eval_z.distribution_fn`: `@tf.random.uniform` (compare_gan's default, in [minval, maxval) =
 * [-1, 1)) and `@tf.random.normal` (N(0, stddev^2)). Both take {shape, minval, maxval, stddev, seed}
 * and use the arguments they understand (compare_gan's call_with_accepted_args).
 */
import * as tf from '@tensorflow/tfjs-core';
import { externalConfigurable, REQUIRED } from '@cgan/config-lang';

export interface DistributionArgs {
  shape: number[];
  minval?: number;
  maxval?: number;
  mean?: number;
  stddev?: number;
  seed?: number;
}

export type DistributionFn = (kw: DistributionArgs) => tf.Tensor;

function uniform(kw: Required<Pick<DistributionArgs, 'shape' | 'minval' | 'maxval'>> & DistributionArgs): tf.Tensor {
  if (!(kw.maxval > kw.minval)) throw new Error(`tf.random.uniform needs maxval > minval, got [${kw.minval}, ${kw.maxval}).`);
  return tf.randomUniform(kw.shape, kw.minval, kw.maxval, 'float32', kw.seed);
}

function normal(kw: Required<Pick<DistributionArgs, 'shape' | 'mean' | 'stddev'>> & DistributionArgs): tf.Tensor {
  if (!(kw.stddev > 0)) throw new Error(`tf.random.normal needs stddev > 0, got ${kw.stddev}.`);
  return tf.randomNormal(kw.shape, kw.mean, kw.stddev, 'float32', kw.seed);
}

export const random_uniform = externalConfigurable(uniform, 'uniform', {
  module: 'tf.random',
  params: { shape: REQUIRED, minval: 0.0, maxval: 1.0 },
}) as unknown as DistributionFn;

export const random_normal = externalConfigurable(normal, 'normal', {
  module: 'tf.random',
  params: { shape: REQUIRED, mean: 0.0, stddev: 1.0 },
}) as unknown as DistributionFn;
