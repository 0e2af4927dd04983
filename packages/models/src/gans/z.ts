/**
 * compare_gan's `z` (ModularGAN.z_generator) and `eval_z`: z ~ distribution_fn with
 * minval=-1, maxval=1 (uniform) or stddev=1 (normal). Default @tf.random.uniform.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, REQUIRED, t } from '@cgan/config-lang';
import { DistributionFn, random_uniform } from '../optimizers/distributions';

interface ZArgs {
  shape: number[];
  seed?: number;
  distribution_fn: DistributionFn;
  minval: number;
  maxval: number;
  stddev: number;
}

function draw(which: string, kw: ZArgs): tf.Tensor2D {
  if (typeof kw.distribution_fn !== 'function') {
    throw new Error(`${which}.distribution_fn must be @tf.random.uniform or @tf.random.normal, got ${String(kw.distribution_fn)}.`);
  }
  const z = kw.distribution_fn({ shape: kw.shape, minval: kw.minval, maxval: kw.maxval, stddev: kw.stddev, seed: kw.seed });
  if (z.rank !== 2) throw new Error(`${which}.distribution_fn returned a tensor of shape [${z.shape}], expected [batch, z_dim].`);
  return z as tf.Tensor2D;
}

const zParams = {
  shape: REQUIRED,
  distribution_fn: { default: random_uniform, type: t.any, doc: '@tf.random.uniform or @tf.random.normal' },
  minval: -1.0,
  maxval: 1.0,
  stddev: 1.0,
};

/** z for training (`z.distribution_fn`). */
export const z_generator = configurable('z', { module: 'modular_gan', params: zParams }, (kw: ZArgs) => draw('z', kw));

/** z for evaluation (`eval_z.distribution_fn`), as compare_gan's eval_gan_lib. */
export const eval_z_generator = configurable('eval_z', { module: 'eval_gan_lib', params: zParams }, (kw: ZArgs) => draw('eval_z', kw));
