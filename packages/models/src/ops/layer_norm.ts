/**
 * Layer normalization (tf.contrib.layers.layer_norm as compare_gan calls it, `D.layer_norm`):
 * normalises each example over all its non-batch axes (epsilon 1e-12), then a per-channel
 * scale `<scope>/gamma` (ones) and offset `<scope>/beta` (zeros).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable } from '@cgan/config-lang';
import { OpContext, scope } from './context';
import { constantInit } from './initializers';

export const layer_norm = configurable(
  'layer_norm',
  { module: 'arch_ops', params: {} },
  (kw: { ctx: OpContext; inputs: tf.Tensor; scope?: string; is_training?: boolean }): tf.Tensor =>
    scope(kw.ctx, kw.scope ?? 'LayerNorm', () => {
      const x = kw.inputs;
      if (x.rank < 2) throw new Error(`layer_norm expects a batch of tensors (rank >= 2), got shape [${x.shape}].`);
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
      const { mean, variance } = tf.moments(x, axes, true);
      const c = x.shape[x.rank - 1];
      const beta = kw.ctx.store.get('beta', [c], constantInit(0));
      const gamma = kw.ctx.store.get('gamma', [c], constantInit(1));
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-12))), gamma), beta);
    }),
);
